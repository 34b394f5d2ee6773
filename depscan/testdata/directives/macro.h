#define PROBE(h) __has_include(h)
#if PROBE(<maybe.h>)
#endif
