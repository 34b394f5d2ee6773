a.o:
