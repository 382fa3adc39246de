// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the test guest: a seeded random O_DIRECT workload on the
 * virtio-blk disk, which sits behind the SMMU. Every byte written is read
 * back and checked, so a wrong or missing translation shows up as an I/O
 * error, a fault or a data mismatch. Prints one TESTINIT line per fact and
 * a final verdict, then powers the guest off.
 *
 * Kernel command line knobs: testinit.seed=N testinit.threads=N
 * testinit.mib=N (disk bytes covered) testinit.passes=N; testinit.skip=1
 * powers off at once (selftest boots); testinit.kmemleak=1 (opt-in, for
 * kernels with kmemleak) mounts debugfs, triggers kmemleak scans before
 * powering off and prints the number of suspected leaks;
 * testinit.faults=SUITE arms failslab and fail_page_alloc for fail-nth use
 * through debugfs and reruns the KUnit SUITE (see rerun_with_faults());
 * testinit.dmabench=SECONDS runs the kernel's DMA map benchmark on the edu
 * device instead of the disk workload (see dma_bench()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SECTOR		512u
#define MAX_REQ		(4u << 20)
#define DISK		"/dev/vda"

static uint64_t opt_seed = 1;
static unsigned int opt_threads = 4;
static unsigned int opt_mib = 64;
static unsigned int opt_passes = 2;
static unsigned int opt_skip;
static unsigned int opt_kmemleak;
static char opt_faults[64];
static unsigned int opt_dmabench;

struct worker {
	pthread_t tid;
	unsigned int id;
	uint64_t rng;
	uint64_t start, len;		/* byte range of the disk it owns */
	uint8_t *gen;			/* write generation of each sector */
	uint64_t bytes, requests, errors;
	char why[160];
};

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, "TESTINIT: ", 10) < 0 ||
	    write(STDOUT_FILENO, buf, n) < 0)
		return;
}

#define DEBUGFS		"/sys/kernel/debug"
#define KMEMLEAK	DEBUGFS "/kmemleak"

/* Write @val to the file @path: 0, or -1 */
static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = fd < 0 ? -1 : write(fd, val, strlen(val));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/*
 * kmemleak reports only objects older than 5 s, unreferenced in a scan:
 * wait, scan twice (the second scan confirms the first), then count the
 * "unreferenced object" records and echo the first lines of the report.
 */
static void kmemleak_report(void)
{
	char buf[4096];
	unsigned int leaks = 0, shown = 0;
	FILE *f;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	sleep(6);
	if (write_str(KMEMLEAK, "scan") || write_str(KMEMLEAK, "scan")) {
		say("kmemleak: unavailable (%s)", strerror(errno));
		return;
	}
	f = fopen(KMEMLEAK, "r");
	if (!f) {
		say("kmemleak: cannot read " KMEMLEAK " (%s)", strerror(errno));
		return;
	}
	while (fgets(buf, sizeof(buf), f)) {
		if (!strncmp(buf, "unreferenced object", 19))
			leaks++;
		if (leaks && shown++ < 60)
			say("kmemleak| %s", strtok(buf, "\n") ?: "");
	}
	fclose(f);
	say("kmemleak: %u reports", leaks);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Arm failslab and fail_page_alloc for fail-nth use: sleeping allocations
 * and order-0 pages may fail too, without stack dumps. The probability
 * stays 0, so only a task that sets its fail-nth (the KUnit suite does it
 * around each call it tests) ever sees a failure. Then rerun the suite,
 * which skipped at boot because nothing was armed; the write returns when
 * the suite has finished, its KTAP report is on the console.
 */
static void rerun_with_faults(const char *suite)
{
	static const char *const knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/verbose", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/verbose", "0" },
	};
	char path[PATH_MAX];
	unsigned int i;
	double t;

	mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), DEBUGFS "/%s", knobs[i][0]);
		if (write_str(path, knobs[i][1])) {
			say("FAIL faults: cannot set %s (%s)", path,
			    strerror(errno));
			return;
		}
	}
	snprintf(path, sizeof(path), DEBUGFS "/kunit/%s/run", suite);
	say("faults: failslab and fail_page_alloc armed; rerunning %s", suite);
	t = now();
	if (write_str(path, "run")) {
		say("FAIL faults: cannot run %s (%s)", path, strerror(errno));
		return;
	}
	say("faults: rerun of %s done in %.1f s", suite, now() - t);
}

static void power_off(void)
{
	if (opt_kmemleak)
		kmemleak_report();
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Content of the 8-byte word at disk offset @off written in generation @g. */
static uint64_t pattern(uint64_t off, uint8_t g)
{
	uint64_t s = opt_seed ^ (off * 0x100000001b3ull) ^ ((uint64_t)g << 56);

	return splitmix(&s);
}

/* A request size from 512 B to 4 MiB, log-uniform, in whole sectors. */
static uint64_t rand_size(struct worker *w, uint64_t room)
{
	unsigned int shift = 9 + splitmix(&w->rng) % 14;	/* 2^9..2^22 */
	uint64_t sz = (uint64_t)1 << shift;

	sz += (splitmix(&w->rng) % sz) & ~(uint64_t)(SECTOR - 1);
	if (sz > MAX_REQ)
		sz = MAX_REQ;
	return sz < room ? sz : room;
}

static void fill(struct worker *w, uint64_t *buf, uint64_t off, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len / 8; i++) {
		uint64_t o = off + i * 8;

		buf[i] = pattern(o, w->gen[(o - w->start) / SECTOR]);
	}
}

static int check(struct worker *w, const uint64_t *buf, uint64_t off,
		 uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len / 8; i++) {
		uint64_t o = off + i * 8;

		if (buf[i] != pattern(o, w->gen[(o - w->start) / SECTOR])) {
			snprintf(w->why, sizeof(w->why),
				 "mismatch at disk offset 0x%" PRIx64
				 " (request 0x%" PRIx64 "+0x%" PRIx64 ")",
				 o, off, len);
			return -1;
		}
	}
	return 0;
}

static int do_io(struct worker *w, int fd, void *buf, uint64_t off,
		 uint64_t len, int wr)
{
	ssize_t n = wr ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);

	w->requests++;
	if (n != (ssize_t)len) {
		snprintf(w->why, sizeof(w->why),
			 "%s 0x%" PRIx64 "+0x%" PRIx64 " returned %zd (%s)",
			 wr ? "write" : "read", off, len, n,
			 n < 0 ? strerror(errno) : "short");
		w->errors++;
		return -1;
	}
	w->bytes += len;
	return 0;
}

/*
 * Cover [start, start+len) with random-sized requests, each from a buffer
 * at a random sector offset inside its page, so IOVAs start mid-page.
 */
static int sweep(struct worker *w, int fd, uint8_t *arena, int wr)
{
	uint64_t off = w->start, end = w->start + w->len;

	while (off < end) {
		uint64_t len = rand_size(w, end - off);
		uint8_t *buf = arena + (splitmix(&w->rng) % 8) * SECTOR;

		if (wr)
			fill(w, (uint64_t *)buf, off, len);
		if (do_io(w, fd, buf, off, len, wr))
			return -1;
		if (!wr && check(w, (uint64_t *)buf, off, len))
			return -1;
		off += len;
	}
	return 0;
}

/* Overwrite random extents with a new generation, as a filesystem would. */
static int scatter_writes(struct worker *w, int fd, uint8_t *arena, uint8_t g)
{
	uint64_t done = 0;

	while (done < w->len / 2) {
		uint64_t sectors = w->len / SECTOR;
		uint64_t first = splitmix(&w->rng) % sectors;
		uint64_t off = w->start + first * SECTOR;
		uint64_t len = rand_size(w, w->start + w->len - off);
		uint8_t *buf = arena + (splitmix(&w->rng) % 8) * SECTOR;

		memset(w->gen + first, g, len / SECTOR);
		fill(w, (uint64_t *)buf, off, len);
		if (do_io(w, fd, buf, off, len, 1))
			return -1;
		done += len;
	}
	return 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint8_t *arena;
	unsigned int p;
	int fd;

	fd = open(DISK, O_RDWR | O_DIRECT);
	if (fd < 0) {
		snprintf(w->why, sizeof(w->why), "open %s: %s", DISK,
			 strerror(errno));
		w->errors++;
		return NULL;
	}
	if (posix_memalign((void **)&arena, 4096, MAX_REQ + 8 * SECTOR)) {
		snprintf(w->why, sizeof(w->why), "out of memory");
		w->errors++;
		close(fd);
		return NULL;
	}
	for (p = 0; p < opt_passes; p++) {
		if (p == 0 ? sweep(w, fd, arena, 1) :
			     scatter_writes(w, fd, arena, (uint8_t)p))
			break;
		if (sweep(w, fd, arena, 0))
			break;
	}
	free(arena);
	close(fd);
	return NULL;
}

static void parse_cmdline(void)
{
	char buf[4096], *tok, *save;
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(tok, "testinit.seed=", 14))
			opt_seed = strtoull(tok + 14, NULL, 0);
		else if (!strncmp(tok, "testinit.threads=", 17))
			opt_threads = strtoul(tok + 17, NULL, 0);
		else if (!strncmp(tok, "testinit.mib=", 13))
			opt_mib = strtoul(tok + 13, NULL, 0);
		else if (!strncmp(tok, "testinit.passes=", 16))
			opt_passes = strtoul(tok + 16, NULL, 0);
		else if (!strcmp(tok, "testinit.skip=1"))
			opt_skip = 1;
		else if (!strcmp(tok, "testinit.kmemleak=1"))
			opt_kmemleak = 1;
		else if (!strncmp(tok, "testinit.faults=", 16))
			snprintf(opt_faults, sizeof(opt_faults), "%s", tok + 16);
		else if (!strncmp(tok, "testinit.dmabench=", 18))
			opt_dmabench = strtoul(tok + 18, NULL, 0);
	}
	if (opt_threads < 1 || opt_threads > 16)
		opt_threads = 4;
	if (opt_passes < 1)
		opt_passes = 1;
}

static void read_line(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, out, len - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(out, len, "?");
		return;
	}
	out[n] = 0;
	out[strcspn(out, "\n")] = 0;
}

/* The disk's PCI function, its IOMMU group and the group's domain type. */
static void report_iommu(void)
{
	char dev[PATH_MAX], grp[PATH_MAX], type[64], path[PATH_MAX + 32];
	char *slash;

	if (!realpath("/sys/block/vda/device", dev)) {
		say("iommu: no /sys/block/vda/device");
		return;
	}
	slash = strrchr(dev, '/');	/* .../0000:00:02.0/virtio0 */
	if (slash)
		*slash = 0;
	snprintf(path, sizeof(path), "%s/iommu_group", dev);
	if (!realpath(path, grp)) {
		say("iommu: device %s has no IOMMU group", strrchr(dev, '/') + 1);
		return;
	}
	snprintf(path, sizeof(path), "%s/type", grp);
	read_line(path, type, sizeof(type));
	say("iommu: device=%s group=%s type=%s", strrchr(dev, '/') + 1,
	    strrchr(grp, '/') + 1, type);
}

/*
 * The kernel's DMA map benchmark (kernel/dma/map_benchmark.c): its driver
 * takes the edu device (vendor 1234, device 11e8) through driver_override,
 * then its tool (tools/testing/selftests/dma/dma_map_benchmark, /dmabench
 * in the initramfs) runs @seconds for each of 1, 2 and 4 threads and
 * granules of 1, 16 and 512 pages. Every map and unmap goes through
 * iommu-dma and the SMMU driver to the page table code.
 */
#define PCI_DEVS	"/sys/bus/pci/devices"
#define DMABENCH_DRV	"dma_map_benchmark"

static int find_edu(char *name, size_t len)
{
	char path[PATH_MAX], ven[16], dev[16];
	DIR *d = opendir(PCI_DEVS);
	struct dirent *de;
	int found = -1;

	while (d && found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVS "/%s/vendor", de->d_name);
		read_line(path, ven, sizeof(ven));
		snprintf(path, sizeof(path), PCI_DEVS "/%s/device", de->d_name);
		read_line(path, dev, sizeof(dev));
		if (!strcmp(ven, "0x1234") && !strcmp(dev, "0x11e8")) {
			snprintf(name, len, "%s", de->d_name);
			found = 0;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* Hand PCI device @name to the benchmark driver: 0, or -1 */
static int bind_dmabench(const char *name)
{
	char path[PATH_MAX], drv[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver/unbind", name);
	if (!access(path, F_OK) && write_str(path, name))
		return -1;
	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver_override", name);
	if (write_str(path, DMABENCH_DRV))
		return -1;
	write_str("/sys/bus/pci/drivers_probe", name);
	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver", name);
	if (!realpath(path, drv) || strcmp(strrchr(drv, '/') + 1, DMABENCH_DRV))
		return -1;
	return 0;
}

/* One run of the tool; its output lines are echoed with @tag: 0 if it
 * exited 0 and printed both latencies */
static int dmabench_run(const char *tag, char *const argv[])
{
	char line[256];
	int fds[2], status, lat = 0;
	FILE *out;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		execv("/dmabench", argv);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	while (out && fgets(line, sizeof(line), out)) {
		line[strcspn(line, "\n")] = 0;
		lat += !strncmp(line, "average ", 8);
		say("dmabench: %s %s", tag, line);
	}
	if (out)
		fclose(out);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) && lat == 2 ? 0 : -1;
}

static void dma_bench(unsigned int seconds)
{
	static const char *const threads[] = { "1", "2", "4" };
	static const char *const granules[] = { "1", "16", "512" };
	char name[NAME_MAX + 1], secs[16], tag[32], path[PATH_MAX], type[32];
	unsigned int t, g, bad = 0;

	mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (find_edu(name, sizeof(name))) {
		say("FAIL dmabench: no edu device");
		return;
	}
	if (bind_dmabench(name)) {
		say("FAIL dmabench: cannot bind %s to " DMABENCH_DRV " (%s)",
		    name, strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), PCI_DEVS "/%s/iommu_group/type", name);
	read_line(path, type, sizeof(type));
	say("dmabench: %s bound to " DMABENCH_DRV ", IOMMU domain type %s",
	    name, type);
	snprintf(secs, sizeof(secs), "%u", seconds);
	for (t = 0; t < 3; t++) {
		for (g = 0; g < 3; g++) {
			char *argv[] = { "dma_map_benchmark", "-t",
					 (char *)threads[t], "-s", secs, "-g",
					 (char *)granules[g], NULL };

			snprintf(tag, sizeof(tag), "t=%s g=%s", threads[t],
				 granules[g]);
			if (dmabench_run(tag, argv)) {
				say("dmabench: %s failed", tag);
				bad++;
			}
		}
	}
	if (bad)
		say("FAIL dmabench: %u of 9 runs failed", bad);
	else
		say("PASS");
}

int main(void)
{
	uint64_t bytes = 0, requests = 0, errors = 0, slice;
	struct worker *w;
	const char *why = NULL;
	unsigned int i;
	double t;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	parse_cmdline();
	if (opt_faults[0])
		rerun_with_faults(opt_faults);
	if (opt_skip) {
		say("skipped (testinit.skip=1)");
		power_off();
	}
	if (opt_dmabench) {
		report_iommu();
		dma_bench(opt_dmabench);
		power_off();
	}
	say("start seed=%" PRIu64 " threads=%u mib=%u passes=%u", opt_seed,
	    opt_threads, opt_mib, opt_passes);
	report_iommu();

	slice = ((uint64_t)opt_mib << 20) / opt_threads / SECTOR * SECTOR;
	w = calloc(opt_threads, sizeof(*w));
	if (!w) {
		say("FAIL out of memory");
		power_off();
	}
	t = now();
	for (i = 0; i < opt_threads; i++) {
		w[i].id = i;
		w[i].rng = opt_seed * 1000003u + i;
		w[i].start = i * slice;
		w[i].len = slice;
		w[i].gen = calloc(slice / SECTOR, 1);
		if (!w[i].gen || pthread_create(&w[i].tid, NULL, work, &w[i])) {
			say("FAIL cannot start worker %u", i);
			power_off();
		}
	}
	for (i = 0; i < opt_threads; i++) {
		pthread_join(w[i].tid, NULL);
		bytes += w[i].bytes;
		requests += w[i].requests;
		errors += w[i].errors;
		if (w[i].why[0] && !why)
			why = w[i].why;
	}
	t = now() - t;
	say("moved %" PRIu64 " MiB in %" PRIu64 " requests, %.1f s, %" PRIu64
	    " I/O errors", bytes >> 20, requests, t, errors);
	if (why)
		say("FAIL %s", why);
	else if (bytes < (64ull << 20))
		say("FAIL only %" PRIu64 " MiB moved", bytes >> 20);
	else
		say("PASS");
	power_off();
	return 0;
}
