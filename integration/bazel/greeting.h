#ifndef GREETING_H
#define GREETING_H

/* Writes "hello, NAME" into buf (at most n bytes) and returns its length. */
int greeting(char *buf, int n, const char *name);

#endif
