#include "linux_shim.h"
int tsl_placeholder(void) { return 0; }
