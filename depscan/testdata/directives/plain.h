#ifndef PLAIN_H
#define PLAIN_H
/* #embed "x" and __TIMESTAMP__ in a comment that closes on its line */
#include <stdint.h>
static const char *s = "__TIMESTAMP__ .incbin";
#define STR(x) #x
#endif
