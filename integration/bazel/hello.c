#include <stdio.h>

#include "greeting.h"
#include "version.h"

int main(int argc, char **argv) {
  char buf[64];
  greeting(buf, sizeof buf, argc > 1 ? argv[1] : "remote");
  printf("%s (%s)\n", buf, GREETING_VERSION);
  return 0;
}
