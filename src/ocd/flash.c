/* flash.c - flash operations: read (two requests in flight, through scratch files), verify
 * (verify_image / verify_bank), erase and program. */
#include "ocd/session-priv.h"
#include "ocd/session-test.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocd/ocdlog.h"
#include "ocd/tcl.h"

#define READ_CHUNK_MIN 16384u
#define READ_CHUNKS_TARGET 32u     /* enough progress steps without costing round trips */
#define PROGRAM_CHUNK 16384u

static void progress(struct ocd_session *s, const char *what, uint64_t done, uint64_t total)
{
	if (s->on_progress)
		s->on_progress(s->ud, what, done, total);
}

/* Generous per-byte allowance on top of the command timeout: a slow probe reads a few
 * KiB/s at worst. */
static uint64_t bytes_timeout(struct ocd_session *s, uint64_t bytes)
{
	return s->command_timeout_ms + bytes / 4;
}

/* Appends the file at src to fd and checks it had exactly want bytes. */
static int append_file(int fd, const char *src, uint32_t want, struct swd_error *err)
{
	char buf[65536];
	uint64_t total = 0;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (in < 0)
		return swd_error_set(err, SWD_EIO, "cannot open '%s': %s", src, swd_errno_text(errno));
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", src, swd_errno_text(errno));
			break;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = swd_error_set(err, SWD_EIO, "cannot write the image read from the target: %s",
				                   swd_errno_text(errno));
				goto out;
			}
			off += w;
		}
		total += (uint64_t)n;
	}
	if (rc == 0 && total != want)
		rc = swd_error_set(err, SWD_EIO, "'%s' holds %" PRIu64 " bytes, expected %" PRIu32,
		                   src, total, want);
out:
	close(in);
	return rc;
}

int ocd_read_flash(struct ocd_session *s, unsigned bank, uint32_t offset, uint32_t len,
                   const char *path, struct swd_error *err)
{
	/* Two scratch files so chunk i+1 is being read by OpenOCD while we copy chunk i;
	 * OpenOCD answers in order, so at most two requests are ever in flight. */
	char *tmp[2] = { NULL, NULL }, *qtmp[2] = { NULL, NULL };
	struct waiter *w[2] = { NULL, NULL };
	char *cmds[2] = { NULL, NULL };
	uint32_t chunk, nchunks, sent = 0, done_chunks = 0;
	int fd = -1, rc = 0;

	if (len == 0)
		return swd_error_set(err, SWD_EINTERNAL, "nothing to read");
	chunk = len / READ_CHUNKS_TARGET;
	if (chunk < READ_CHUNK_MIN)
		chunk = READ_CHUNK_MIN;
	chunk = (chunk + 4095) & ~4095u;
	nchunks = (len + chunk - 1) / chunk;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return ocd__fail(s, err, SWD_EIO, NULL, 0, NULL, "cannot create '%s': %s", path,
		            swd_errno_text(errno));
	for (int i = 0; i < 2; i++) {
		tmp[i] = ocd__fmt("%s.chunk%d", path, i);
		qtmp[i] = tmp[i] ? tcl_quote_str(tmp[i]) : NULL;
		if (!qtmp[i]) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
	}
	progress(s, "reading flash", 0, len);
	while (done_chunks < nchunks) {
		/* Keep two requests in flight. */
		while (sent < nchunks && sent < done_chunks + 2) {
			int slot = (int)(sent % 2);
			uint32_t off = sent * chunk, n = len - off < chunk ? len - off : chunk;

			if (ocd__interrupted(s) || s->fatal) {
				rc = ocd__fatal_error(s, "flash read_bank", err);
				goto out;
			}
			free(cmds[slot]);
			cmds[slot] = ocd__fmt("flash read_bank %u %s 0x%" PRIx32 " 0x%" PRIx32, bank,
			                 qtmp[slot], offset + off, n);
			if (!cmds[slot]) {
				rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
				goto out;
			}
			rc = ocd__send_catch(s, cmds[slot], bytes_timeout(s, n), sent == done_chunks, &w[slot], err);
			if (rc)
				goto out;
			sent++;
		}
		{
			int slot = (int)(done_chunks % 2);
			uint32_t off = done_chunks * chunk, n = len - off < chunk ? len - off : chunk;
			char *text = NULL;
			int code;

			rc = ocd__await_reply(s, &w[slot], cmds[slot], &code, &text, NULL, err);
			if (rc)
				goto out;
			if (code != 0) {
				char why[SWD_ERROR_MSG_MAX];

				rc = ocd__fail(s, err, ocd__classify(s, code, text), cmds[slot], code, text,
				          "reading flash at offset 0x%08" PRIx32 " failed (%d): %s", offset + off,
				          code, ocd__failure_reason(s, text, why, sizeof(why)));
				free(text);
				goto out;
			}
			free(text);
			rc = append_file(fd, tmp[slot], n, err);
			if (rc) {
				ocd__fail(s, NULL, rc, NULL, 0, NULL, "local i/o error");
				goto out;
			}
			done_chunks++;
			ocd__log_lines(s, &s->log_mark);
			progress(s, "reading flash", (uint64_t)off + n, len);
		}
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		rc = ocd__fail(s, err, SWD_EIO, NULL, 0, NULL, "cannot write '%s': %s", path, swd_errno_text(errno));
		goto out;
	}
out:
	/* After an interrupt OpenOCD may still be writing a scratch file: let those reads
	 * finish (briefly; a second signal stops waiting) so none is left behind. */
	if ((w[0] && !w[0]->done) || (w[1] && !w[1]->done)) {
		ocd__timer_arm(s, STOP_REPLY_GRACE_MS);
		while (((w[0] && !w[0]->done) || (w[1] && !w[1]->done)) && !s->timer_fired &&
		       !s->rpc.dead && s->signals_seen < 2)
			uv_run(&s->loop, UV_RUN_ONCE);
		ocd__timer_disarm(s);
	}
	for (int i = 0; i < 2; i++) {
		if (w[i]) {
			if (w[i]->done) {
				free(w[i]->text);
				free(w[i]);
			} else {
				w[i]->abandoned = true;
			}
		}
		free(cmds[i]);
		if (tmp[i])
			unlink(tmp[i]);
		free(tmp[i]);
		free(qtmp[i]);
	}
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = ocd__fail(s, err, SWD_EIO, NULL, 0, NULL, "cannot write '%s': %s", path, swd_errno_text(errno));
	return rc;
}

static int verify_common(struct ocd_session *s, const char *cmd, uint64_t bytes,
                         struct ocd_verify_result *out, struct swd_error *err)
{
	struct ocd_verify_result r = { 0 };
	struct ocdlog_verify v;
	char *text = NULL;
	int code, rc;

	rc = ocd__run_catch(s, cmd, bytes_timeout(s, bytes), &code, &text, NULL, err);
	if (rc)
		goto out;
	ocdlog_verify(text, &v);
	r.bytes = v.bytes;
	r.has_first_diff = v.has_first_diff;
	r.first_diff_address = v.first_diff_address;
	r.ndiff_lines = v.ndiff_lines;
	if (code == 0 && !v.differs) {
		r.match = true;
	} else if (r.has_first_diff || v.differs) {
		rc = ocd__fail(s, err, SWD_EVERIFY, cmd, code, text,
		          "device differs from the image, first at 0x%08" PRIx32, r.first_diff_address);
	} else {
		const char *why = ocd__first_error_line(s, s->log_mark);

		rc = ocd__fail(s, err, ocd__classify(s, code, text), cmd, code, text,
		          "openocd command '%s' failed (%d): %s", cmd, code, why ? why : "no details");
	}
out:
	free(text);
	if (out)
		*out = r;
	return rc;
}

static int file_size(const char *path, uint64_t *size, struct swd_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
		                     swd_errno_text(errno));
	*size = (uint64_t)st.st_size;
	return 0;
}

/* `VERB PATH TAIL` with PATH quoted; "verifying" progress when `report`. */
static int verify_file(struct ocd_session *s, const char *verb, const char *path, const char *tail,
                       bool report, struct ocd_verify_result *out, struct swd_error *err)
{
	char *q = NULL, *cmd = NULL;
	uint64_t size = 0;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	rc = file_size(path, &size, err);
	if (rc)
		return rc;
	q = tcl_quote_str(path);
	cmd = q ? ocd__fmt("%s %s %s", verb, q, tail) : NULL;
	if (!cmd) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (report)
		progress(s, "verifying", 0, size);
	rc = verify_common(s, cmd, size, out, err);
	if (rc == 0 && report)
		progress(s, "verifying", size, size);
out:
	free(q);
	free(cmd);
	return rc;
}

int ocd_verify_image(struct ocd_session *s, const char *path, uint32_t address,
                     struct ocd_verify_result *out, struct swd_error *err)
{
	char tail[32];

	snprintf(tail, sizeof(tail), "0x%08" PRIx32 " bin", address);
	return verify_file(s, "verify_image", path, tail, true, out, err);
}

int ocd_verify_bank(struct ocd_session *s, unsigned bank, const char *path, uint32_t offset,
                    struct ocd_verify_result *out, struct swd_error *err)
{
	char verb[40], tail[16];

	snprintf(verb, sizeof(verb), "flash verify_bank %u", bank);
	snprintf(tail, sizeof(tail), "0x%" PRIx32, offset);
	return verify_file(s, verb, path, tail, false, out, err);
}

int ocd_erase_sectors(struct ocd_session *s, unsigned bank, unsigned first, unsigned last,
                      struct swd_error *err)
{
	char *cmd;
	int rc = ocd__write_ready(s, err);

	if (rc)
		return rc;
	cmd = ocd__fmt("flash erase_sector %u %u %u", bank, first, last);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	/* Sector erase can take seconds per sector (F4 128 KiB: up to 4 s at x8). */
	rc = ocd__run_ok(s, cmd, s->command_timeout_ms * (last - first + 1), NULL, err);
	free(cmd);
	return rc;
}

/* Writes data[0..n) to the file at path, created or truncated. Not swd_file_write(): a
 * scratch chunk lives for one command and is rewritten for the next, so it needs neither
 * the fsync nor the rename that make a product file safe. */
int ocd__write_file(const char *path, const uint8_t *data, size_t n, struct swd_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot create '%s': %s", path, swd_errno_text(errno));
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
		}
		off += (size_t)w;
	}
	if (close(fd) != 0)
		return swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
	return 0;
}

int ocd_program(struct ocd_session *s, const struct ocd_program_args *a, struct swd_error *err)
{
	const uint8_t *data = a->data;
	size_t n = a->len, full = a->len;
	char *q = NULL, *cmd = NULL;
	bool scratch_made = false;
	int rc;

	if (!a->scratch || !*a->scratch)
		return swd_error_set(err, SWD_EINTERNAL, "programming needs a scratch file");
	if (n == 0)
		return swd_error_set(err, SWD_EEMPTY, "the image to program is empty");
	rc = ocd__write_ready(s, err);
	if (rc)
		return rc;
	q = tcl_quote_str(a->scratch);
	if (!q)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (!a->sectors || a->nsectors == 0) {
		rc = ocd__write_file(a->scratch, data, n, err);
		if (rc)
			goto out;
		scratch_made = true;
		cmd = ocd__fmt("flash write_image erase %s 0x%08" PRIx32 " bin", q, a->bank_base + a->offset);
		if (!cmd) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		progress(s, "programming", 0, n);
		rc = ocd__run_ok(s, cmd, bytes_timeout(s, n) * 4, NULL, err);
		if (rc == 0)
			progress(s, "programming", n, n);
		goto out;
	}
	{
		/* Erase every sector the image touches, one at a time for progress. */
		uint64_t erase_total = 0, erased = 0;
		uint32_t lo = a->offset, hi = a->offset + (uint32_t)n;

		for (size_t i = 0; i < a->nsectors; i++) {
			const struct ocd_sector *sec = &a->sectors[i];

			if (sec->offset < hi && sec->offset + sec->size > lo)
				erase_total += sec->size;
		}
		progress(s, "erasing", 0, erase_total);
		for (size_t i = 0; i < a->nsectors; i++) {
			const struct ocd_sector *sec = &a->sectors[i];

			if (!(sec->offset < hi && sec->offset + sec->size > lo))
				continue;
			rc = ocd_erase_sectors(s, a->bank, sec->index, sec->index, err);
			if (rc)
				goto out;
			erased += sec->size;
			progress(s, "erasing", erased, erase_total);
		}
	}
	/* The erase above left every byte the image covers 0xFF, so its trailing 0xFF bytes
	 * (a bundle's flash.bin is the whole bank, mostly erased) are already right: program
	 * up to the last other byte only, rounded up to 8 bytes (an F1 half-word, an F2/F4
	 * x64 double word). */
	while (n && data[n - 1] == 0xff)
		n--;
	n = (n + 7) & ~(size_t)7;
	if (n > full)
		n = full;
	if (n)
		progress(s, "programming", 0, n);
	for (size_t off = 0; off < n; off += PROGRAM_CHUNK) {
		size_t len = n - off < PROGRAM_CHUNK ? n - off : PROGRAM_CHUNK;

		rc = ocd__write_file(a->scratch, data + off, len, err);
		if (rc)
			goto out;
		scratch_made = true;
		free(cmd);
		cmd = ocd__fmt("flash write_bank %u %s 0x%" PRIx32, a->bank, q, a->offset + (uint32_t)off);
		if (!cmd) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		rc = ocd__run_ok(s, cmd, bytes_timeout(s, len) * 4, NULL, err);
		if (rc)
			goto out;
		progress(s, "programming", off + len, n);
	}
out:
	if (scratch_made)
		unlink(a->scratch);
	free(q);
	free(cmd);
	return rc;
}
