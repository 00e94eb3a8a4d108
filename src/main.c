/* hashhound: find cryptojacking in containerized clouds. Subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
};

static const struct command commands[] = {
#define HH_COMMAND(name, fn, summary) { name, fn, summary },
#include "cli/commands.h"
#undef HH_COMMAND
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound COMMAND [OPTIONS] [ARGS]\n\n"
		    "Finds cryptocurrency miners in containers, images, manifests, audit logs and traffic.\n\n"
		    "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp, "\n'hashhound COMMAND --help' describes a command; 'hashhound --version' prints the version.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return HH_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("hashhound %s\n", HH_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hashhound: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return HH_EXIT_USAGE;
}
