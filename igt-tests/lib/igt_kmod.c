// SPDX-License-Identifier: MIT
/*
 * Module loading for the small IGT-compatible harness: modprobe in a child,
 * where upstream IGT uses libkmod.  The signatures are those of IGT 1.27.1
 * (igt_kmod_unload() lost its @flags later).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"

static int run_modprobe(const char *const *argv)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp("modprobe", (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EINVAL;
}

int igt_kmod_load(const char *mod_name, const char *opts)
{
	const char *argv[32] = { "modprobe", mod_name };
	char *copy = opts ? strdup(opts) : NULL, *tok, *save = NULL;
	int n = 2, ret;

	for (tok = copy ? strtok_r(copy, " ", &save) : NULL; tok && n < 31;
	     tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	ret = run_modprobe(argv);
	free(copy);
	return ret;
}

int igt_kmod_unload(const char *mod_name, unsigned int flags)
{
	const char *argv[4];

	(void)flags;
	argv[0] = "modprobe";
	argv[1] = "-r";
	argv[2] = mod_name;
	argv[3] = NULL;
	return run_modprobe(argv);
}

/* Loaded as a module, as /proc/modules lists them (built-ins are not). */
bool igt_kmod_is_loaded(const char *mod_name)
{
	FILE *f = fopen("/proc/modules", "r");
	char line[512], name[128];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%127s", name) == 1 &&
			strcmp(name, mod_name) == 0;
	fclose(f);
	return found;
}
