/* bench/nats_raw.c: the baseline of bench/fleet.sh, the same libnats with no
 * processing of ours.
 *   nats_raw pub URLS SUBJECT FILE sync|async
 *       publishes each line of FILE to SUBJECT on the JetStream stream, with
 *       the line's "id" value as Nats-Msg-Id (found with strstr, no JSON
 *       parse): sync waits for each ack (as the hashhound sink does), async
 *       keeps up to 4096 in flight.
 *   nats_raw sub URLS FILTER DURABLE N
 *       a durable pull consumer on FILTER: fetches 64 at a time and acks
 *       each, until N messages or 120 s.
 * Prints "count seconds" on stdout; exit 0 when all were published or
 * received, else 1. Built by bench/fleet.sh:
 *   cc -O2 -o build/bench-nats-raw bench/nats_raw.c -lnats */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static natsConnection *connect_to(const char *urls)
{
	const char *list[16];
	char buf[1024];
	int k = 0;
	snprintf(buf, sizeof(buf), "%s", urls);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && k < 16; t = strtok_r(NULL, ",", &save))
		list[k++] = t;
	natsOptions *o = NULL;
	natsConnection *nc = NULL;
	if (natsOptions_Create(&o) != NATS_OK || natsOptions_SetServers(o, list, k) != NATS_OK ||
	    natsConnection_Connect(&nc, o) != NATS_OK) {
		fprintf(stderr, "nats_raw: cannot connect to %s\n", urls);
		exit(1);
	}
	natsOptions_Destroy(o);
	return nc;
}

static int pub(const char *urls, const char *subject, const char *file, int async)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		perror(file);
		return 1;
	}
	natsConnection *nc = connect_to(urls);
	jsCtx *js = NULL;
	jsOptions jo;
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = 4096;
	if (natsConnection_JetStream(&js, nc, &jo) != NATS_OK)
		return 1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0, bad = 0;
	double t0 = now();
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char id[64] = "";
		const char *p = strstr(line, "\"id\":\"");
		if (p)
			snprintf(id, sizeof(id), "%.36s", p + 6);
		jsPubOptions po;
		jsPubOptions_Init(&po);
		po.MsgId = id;
		po.MaxWait = 5000;
		natsStatus s;
		if (async) {
			s = js_PublishAsync(js, subject, line, (int)len, &po);
		} else {
			jsPubAck *pa = NULL;
			s = js_Publish(&pa, js, subject, line, (int)len, &po, NULL);
			jsPubAck_Destroy(pa);
		}
		if (s == NATS_OK)
			n++;
		else
			bad++;
	}
	if (async) {
		jsPubOptions po;
		jsPubOptions_Init(&po);
		po.MaxWait = 30000;
		if (js_PublishAsyncComplete(js, &po) != NATS_OK)
			bad++;
	}
	printf("%ld %.3f\n", n, now() - t0);
	free(line);
	fclose(f);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	return bad ? 1 : 0;
}

static int sub(const char *urls, const char *filter, const char *durable, long want)
{
	natsConnection *nc = connect_to(urls);
	jsCtx *js = NULL;
	natsSubscription *sb = NULL;
	jsErrCode jerr = 0;
	if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK ||
	    js_PullSubscribe(&sb, js, filter, durable, NULL, NULL, &jerr) != NATS_OK) {
		fprintf(stderr, "nats_raw: cannot subscribe to %s (%d)\n", filter, (int)jerr);
		return 1;
	}
	fprintf(stderr, "nats_raw: consuming %s\n", filter);
	long n = 0;
	double t0 = 0, end = now() + 120;
	while (n < want && now() < end) {
		natsMsgList ml = { 0 };
		natsSubscription_Fetch(&ml, sb, 64, 1000, &jerr);
		if (ml.Count && !t0)
			t0 = now();
		for (int i = 0; i < ml.Count; i++) {
			natsMsg_Ack(ml.Msgs[i], NULL);
			n++;
		}
		natsMsgList_Destroy(&ml);
	}
	printf("%ld %.3f\n", n, t0 ? now() - t0 : 0.0);
	natsSubscription_Destroy(sb);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	return n >= want ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "pub"))
		return pub(argv[2], argv[3], argv[4], !strcmp(argv[5], "async"));
	if (argc == 6 && !strcmp(argv[1], "sub"))
		return sub(argv[2], argv[3], argv[4], atol(argv[5]));
	fprintf(stderr, "usage: nats_raw pub URLS SUBJECT FILE sync|async | sub URLS FILTER DURABLE N\n");
	return 2;
}
