c\:x.o: a.c weird:name.h dir\\ x | order.h
