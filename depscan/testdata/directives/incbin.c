// Embeds a blob with the assembler: -M lists no data file.
#include <stddef.h>
#if __has_include("blob_size.h")
#include "blob_size.h"
#endif
__asm__(".section .rodata\n"
        ".global blob\n"
        "blob: .INCBIN \"blob.bin\"\n");
const char *when = __DATE__;
