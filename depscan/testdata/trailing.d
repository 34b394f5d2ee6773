x.o: \
