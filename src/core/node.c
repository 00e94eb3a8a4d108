#include "core/node.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct hh_node node;
static pthread_once_t node_once = PTHREAD_ONCE_INIT;

/* CN=system:node:NAME of the kubelet's client certificate. */
static void kubelet_node_name(char *out, size_t len)
{
	static const char *const paths[] = { "/var/lib/kubelet/pki/kubelet-client-current.pem",
					     "/host/var/lib/kubelet/pki/kubelet-client-current.pem" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *fp = fopen(paths[i], "r");
		if (!fp)
			continue;
		X509 *cert = PEM_read_X509(fp, NULL, NULL, NULL);
		fclose(fp);
		if (!cert)
			continue;
		char cn[320] = "";
		X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
		X509_free(cert);
		if (strncmp(cn, "system:node:", 12) == 0 && cn[12]) {
			snprintf(out, len, "%.*s", (int)(len > 0 ? len - 1 : 0), cn + 12);
			return;
		}
	}
}

static void node_init(void)
{
	if (gethostname(node.hostname, sizeof(node.hostname) - 1) != 0)
		node.hostname[0] = '\0';
	node.hostname[sizeof(node.hostname) - 1] = '\0';
	const char *env = getenv("NODE_NAME");
	if (env && env[0])
		snprintf(node.k8s_node_name, sizeof(node.k8s_node_name), "%s", env);
	else
		kubelet_node_name(node.k8s_node_name, sizeof(node.k8s_node_name));
}

const struct hh_node *hh_node_get(void)
{
	pthread_once(&node_once, node_init);
	return &node;
}

void hh_node_stamp(json_t *fields)
{
	const struct hh_node *n = hh_node_get();
	if (n->hostname[0])
		json_object_set_new(fields, "hostname", json_string(n->hostname));
	if (n->k8s_node_name[0])
		json_object_set_new(fields, "k8s.node.name", json_string(n->k8s_node_name));
}
