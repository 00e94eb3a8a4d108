/* The store's handle, shared by its files: store.c (findings),
 * store_cpu.c (CPU samples of flagged containers), store_incidents.c
 * (incidents grouped from the findings). Not for other modules. */
#ifndef HH_STORE_INTERNAL_H
#define HH_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

struct hh_store {
	sqlite3 *db;
	sqlite3_stmt *insert;
	size_t max_rows;
	size_t inserts_since_trim;
	sqlite3_stmt *cpu_insert;
	size_t cpu_max_rows, cpu_per_container;
	size_t cpu_inserts_since_trim;
};

/* Creates the cpu_samples table and its insert statement. 0, or -1. */
int hh_store_cpu_init(struct hh_store *s);

#endif
