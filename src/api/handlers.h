/* handlers.h: every route's handler, by resource. */
#ifndef PIPELINED_HANDLERS_H
#define PIPELINED_HANDLERS_H

#include "api.h"
#include "keys.h"

void areas_list(struct api_req *a);

#endif
