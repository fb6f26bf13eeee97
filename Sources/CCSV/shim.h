// libcsv 3.x ships csv.h and libcsv.so but no pkg-config file, hence the explicit link line.
#include <csv.h>
