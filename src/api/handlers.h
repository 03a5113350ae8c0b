/* handlers.h: every route's handler, by resource. */
#ifndef PIPELINED_HANDLERS_H
#define PIPELINED_HANDLERS_H

#include "api.h"
#include "keys.h"

void areas_list(struct api_req *a);

void projects_create(struct api_req *a);
void projects_list(struct api_req *a);
void projects_get(struct api_req *a);
void projects_patch(struct api_req *a);

void events_create(struct api_req *a);
void events_list(struct api_req *a);
void events_retract(struct api_req *a);
void events_get(struct api_req *a);

void audit_list(struct api_req *a);

void stats_pipeline(struct api_req *a);
void stats_alerts(struct api_req *a);
void targets_get(struct api_req *a);
void targets_put(struct api_req *a);

void batches_create(struct api_req *a);
void batches_list(struct api_req *a);
void batches_get(struct api_req *a);

void reports_create(struct api_req *a);
void reports_list(struct api_req *a);
void reports_get(struct api_req *a);
void reports_photo(struct api_req *a);

/* report_sync.c */
void reports_submit_one(struct api_req *a);
void reports_batch(struct api_req *a);
void reports_get_by_id(struct api_req *a);
void reports_search(struct api_req *a);

/* photos.c */
void photos_put(struct api_req *a);
void photos_get(struct api_req *a);
/* Serves a photo the database answered with (its ETag, If-None-Match);
 * a db_photo_cb whose argument is the request. */
void api_photo_serve(const db_result *st, const struct db_photo *ph, void *arg);
/* The sweep of unreferenced photos, on each worker's loop. */
int photos_sweep_start(struct event_base *base);
void photos_sweep_stop(void);

void changes_list(struct api_req *a);
void problems_list(struct api_req *a);
void problems_get(struct api_req *a);
void labels_get(struct api_req *a);
void imports_create(struct api_req *a);

#endif
