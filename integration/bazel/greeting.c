#include "greeting.h"

#include <stdio.h>

int greeting(char *buf, int n, const char *name) {
  return snprintf(buf, n, "hello, %s", name);
}
