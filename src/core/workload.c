#include "core/workload.h"

#include <string.h>

void hh_strlcpy(char *dst, const char *src, size_t n)
{
	if (n == 0)
		return;
	size_t len = src ? strnlen(src, n - 1) : 0;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

const char *hh_workload_label(const struct hh_workload *w, const char *key)
{
	for (size_t i = 0; i < w->n_labels; i++)
		if (strcmp(w->labels[i].key, key) == 0)
			return w->labels[i].value;
	return NULL;
}

void hh_workload_add_label(struct hh_workload *w, const char *key, const char *value)
{
	if (w->n_labels >= HH_MAX_LABELS)
		return;
	hh_strlcpy(w->labels[w->n_labels].key, key, sizeof(w->labels[0].key));
	hh_strlcpy(w->labels[w->n_labels].value, value, sizeof(w->labels[0].value));
	w->n_labels++;
}

void hh_image_repository(const char *image, char *out, size_t n)
{
	hh_strlcpy(out, image, n);
	char *at = strchr(out, '@');
	if (at)
		*at = '\0';
	/* A ':' after the last '/' is a tag; one before it is a registry port. */
	char *slash = strrchr(out, '/');
	char *colon = strrchr(slash ? slash : out, ':');
	if (colon)
		*colon = '\0';
}
