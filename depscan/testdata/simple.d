a.o: a.c /usr/include/stdc-predef.h \
  /usr/include/stdio.h h.h
