/* A configuration header in the style of libstdc++ and glibc.
 * Block comments that span lines are not recognised: the probe below is
 * reported although it is commented out.
#if __has_include(<commented/out.h>)
 */
#ifndef CONFIG_H
#define CONFIG_H 1

#ifdef __has_include                      // tests the operator: no probe
# if __has_include(<sys/single_threaded.h>) && !defined(NO_ST)
#  include <sys/single_threaded.h>
# endif
#endif // __has_include

#define HAVE_TBB __has_include(<tbb/tbb.h>)   /* probed where HAVE_TBB is used */

#if defined(__cplusplus) \
    && __has_include_next("config.h") \
    || __has_include  ( <version> )
#endif

#define LONG_MACRO(x) \
	do { \
		static const char s[] = "__has_include(<in/a/string.h>)"; \
		(void)s; (void)(x); \
	} while (0)

#if __has_include(<sys/single_threaded.h>)   // a repeated probe is listed once
#endif
#endif
