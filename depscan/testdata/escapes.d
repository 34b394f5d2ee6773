obj/b$$x\ y.o: src/b$$x\ y.c src/h\#1.h \
 src/dir\ with\ space/x.h src/a$$$$b.h
