#include "test_tiff.h"
