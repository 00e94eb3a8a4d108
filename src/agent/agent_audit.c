/* Kubernetes audit events live: the webhook body (POST /audit on the agent's
 * HTTP server, on that server's thread) is queued here, bounded; the agent's
 * loop judges it with the audit rules of `hashhound audit-log`
 * (detectors/audit) and joins each finding to the running containers of the
 * pod it names (ka.target.namespace / ka.target.name), so the correlator sees
 * it as context of that workload. A finding about a pod whose containers are
 * not running yet waits (at most PENDING_MAX, PENDING_S seconds) for them. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "core/log.h"
#include "detectors/audit/audit.h"

#define QUEUE_MAX 64
#define QUEUE_BYTES (64u << 20)
#define PENDING_MAX 256
#define PENDING_S 600

struct hh_agent_audit {
	pthread_mutex_t mu;
	struct { char *body; size_t len; } q[QUEUE_MAX]; /* guarded by mu */
	size_t n, bytes;                                 /* guarded by mu */
	/* the agent's thread only: */
	struct hh_audit *engine;
	struct { struct hh_finding *f; double since; } pending[PENDING_MAX];
	size_t n_pending;
	struct hh_finding **got;                          /* findings of the body being judged */
	size_t n_got, cap_got;
};

struct hh_agent_audit *hh_agent_audit_new(void)
{
	struct hh_agent_audit *q = calloc(1, sizeof(*q));
	if (q)
		pthread_mutex_init(&q->mu, NULL);
	return q;
}

int hh_agent_audit_post(struct hh_agent *a, const char *body, size_t len, char *err, size_t errlen)
{
	struct hh_agent_audit *q = a->audit;
	if (!q) {
		snprintf(err, errlen, "audit intake not available");
		return -1;
	}
	char *copy = malloc(len + 1);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(copy, body, len);
	copy[len] = '\0';
	pthread_mutex_lock(&q->mu);
	if (q->n == QUEUE_MAX || q->bytes + len > QUEUE_BYTES) {
		pthread_mutex_unlock(&q->mu);
		free(copy);
		snprintf(err, errlen, "audit queue full (%d bodies or %u MiB waiting); retry", QUEUE_MAX, QUEUE_BYTES >> 20);
		return -1;
	}
	q->q[q->n].body = copy;
	q->q[q->n].len = len;
	q->n++;
	q->bytes += len;
	pthread_mutex_unlock(&q->mu);
	return 0;
}

static void collect(void *user, struct hh_finding *f)
{
	struct hh_agent_audit *q = user;
	if (q->n_got == q->cap_got) {
		size_t cap = q->cap_got ? q->cap_got * 2 : 16;
		struct hh_finding **g = realloc(q->got, cap * sizeof(*g));
		if (!g) {
			hh_finding_free(f);
			return;
		}
		q->got = g;
		q->cap_got = cap;
	}
	q->got[q->n_got++] = f;
}

static const char *field(const struct hh_finding *f, const char *k)
{
	const char *v = json_string_value(json_object_get(f->fields, k));
	return v ? v : "";
}

/* Emits f once per running container of the pod it names. Returns how many. */
static int join(struct hh_agent *a, const struct hh_finding *f)
{
	const char *ns = field(f, "ka.target.namespace"), *name = field(f, "ka.target.name");
	if (!ns[0] || !name[0] || strncmp(field(f, "ka.target.resource"), "pods", 4) != 0)
		return 0;
	int n = 0;
	for (size_t i = 0; i < a->n_ctr; i++) {
		const struct hh_workload *w = &a->ctr[i].w;
		if (strcmp(w->pod_namespace, ns) != 0 || strcmp(w->pod_name, name) != 0)
			continue;
		struct hh_finding *c = hh_finding_clone(f);
		if (!c)
			continue;
		hh_finding_set_workload(c, w);
		hh_agent_emit(a, w, c);
		n++;
	}
	return n;
}

void hh_agent_audit_drain(struct hh_agent *a)
{
	struct hh_agent_audit *q = a->audit;
	if (!q)
		return;
	/* pending findings first: their pods may have started since */
	for (size_t i = 0; i < q->n_pending;) {
		if (join(a, q->pending[i].f) > 0 || a->now - q->pending[i].since > PENDING_S) {
			hh_finding_free(q->pending[i].f);
			q->pending[i] = q->pending[--q->n_pending];
		} else {
			i++;
		}
	}
	for (;;) {
		pthread_mutex_lock(&q->mu);
		if (!q->n) {
			pthread_mutex_unlock(&q->mu);
			return;
		}
		char *body = q->q[0].body;
		size_t len = q->q[0].len;
		memmove(&q->q[0], &q->q[1], sizeof(q->q[0]) * (q->n - 1));
		q->n--;
		q->bytes -= len;
		pthread_mutex_unlock(&q->mu);
		if (!q->engine) {
			char err[256];
			q->engine = hh_audit_new(a->cfg, collect, q, err, sizeof(err));
			if (!q->engine) {
				hh_warn("audit webhook: %s (events dropped)", err);
				free(body);
				continue;
			}
		}
		size_t errors = hh_audit_read_buf(q->engine, body, len, "audit webhook");
		free(body);
		if (errors)
			hh_warn("audit webhook: %zu malformed value(s) in a posted body (named above)", errors);
		for (size_t i = 0; i < q->n_got; i++) {
			struct hh_finding *f = q->got[i];
			hh_strlcpy(f->source, "agent", sizeof(f->source));
			if (join(a, f) > 0) { /* out once per container of the pod */
				hh_finding_free(f);
				continue;
			}
			if (q->n_pending < PENDING_MAX && strncmp(field(f, "ka.target.resource"), "pods", 4) == 0) {
				struct hh_finding *c = hh_finding_clone(f);
				if (c) {
					q->pending[q->n_pending].f = c;
					q->pending[q->n_pending].since = a->now;
					q->n_pending++;
				}
			}
			/* not about a running container (yet): out as `audit-log` would say it */
			hh_agent_emit(a, NULL, f);
		}
		q->n_got = 0;
	}
}

void hh_agent_audit_free(struct hh_agent *a)
{
	struct hh_agent_audit *q = a->audit;
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		free(q->q[i].body);
	for (size_t i = 0; i < q->n_pending; i++)
		hh_finding_free(q->pending[i].f);
	for (size_t i = 0; i < q->n_got; i++)
		hh_finding_free(q->got[i]);
	free(q->got);
	hh_audit_free(q->engine);
	pthread_mutex_destroy(&q->mu);
	free(q);
	a->audit = NULL;
}
