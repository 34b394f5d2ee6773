x.o: x.c \
 a.h \
 b.h

a.h:
