#include "image_kernel.h"
void tsk_init(void) {}
