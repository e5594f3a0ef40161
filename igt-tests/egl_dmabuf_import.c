// SPDX-License-Identifier: MIT
/*
 * egl_dmabuf_import: Mesa imports dma-bufs through vprime.
 *
 * Without a GPU, Mesa's kms_swrast driver runs on vprime's primary node
 * (a GBM device on the card fd, an EGL display on the GBM platform).  It
 * imports a dma-buf with PRIME fd-to-handle and maps it with MAP_DUMB +
 * mmap on the card fd, so vprime must map every imported dma-buf, not only
 * its own.  Each subtest imports a buffer with EGL_EXT_image_dma_buf_import,
 * samples it into an RGBA framebuffer and compares every pixel with what
 * the CPU wrote; writes through GL are checked through the exporter's mmap.
 * Sources: vprime (dumb, GEM_CREATE with a larger pitch), /dev/cenalloc,
 * vivid capture buffers (both allocators) and vgem.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>
#include <drm_fourcc.h>
#include <gbm.h>
#include <linux/dma-buf.h>

#include "igt.h"
#include "igt_kmod.h"
#include "v4l2_common.h"
#include "vprime_common.h"

/*
 * Two files on the same card node: Mesa's, and the test's for its own
 * objects.  GEM handles are per file and Mesa closes the handles its
 * imports get; sharing one file would let Mesa close the test's handles.
 */
static int fd = -1, mesa_fd = -1;
static struct gbm_device *gbm;
static EGLDisplay dpy = EGL_NO_DISPLAY;
static EGLContext ctx = EGL_NO_CONTEXT;
static GLuint prog;
static PFNEGLCREATEIMAGEKHRPROC create_image;
static PFNEGLDESTROYIMAGEKHRPROC destroy_image;
static PFNGLEGLIMAGETARGETTEXTURE2DOESPROC image_target_texture;

/* A dma-buf to import and the CPU mapping the test writes it through. */
struct src {
	int dmabuf;
	uint8_t *map;
	size_t size;
	uint32_t width, height, pitch, offset, fourcc;
};

static const char vs_src[] =
	"attribute vec2 pos;\n"
	"varying vec2 uv;\n"
	"void main() {\n"
	"	uv = pos * 0.5 + 0.5;\n"
	"	gl_Position = vec4(pos, 0.0, 1.0);\n"
	"}\n";

static const char fs_src[] =
	"#extension GL_OES_EGL_image_external : require\n"
	"precision mediump float;\n"
	"uniform samplerExternalOES tex;\n"
	"varying vec2 uv;\n"
	"void main() {\n"
	"	gl_FragColor = texture2D(tex, uv);\n"
	"}\n";

static GLuint compile(GLenum type, const char *text)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;
	char log[512];

	glShaderSource(s, 1, &text, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		glGetShaderInfoLog(s, sizeof(log), NULL, log);
		igt_assert_f(ok, "shader: %s\n", log);
	}
	return s;
}

static void build_program(void)
{
	GLint ok = 0;

	prog = glCreateProgram();
	glAttachShader(prog, compile(GL_VERTEX_SHADER, vs_src));
	glAttachShader(prog, compile(GL_FRAGMENT_SHADER, fs_src));
	glBindAttribLocation(prog, 0, "pos");
	glLinkProgram(prog);
	glGetProgramiv(prog, GL_LINK_STATUS, &ok);
	igt_assert(ok);
}

static void egl_setup(void)
{
	static const EGLint ctx_attrs[] = {
		EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE,
	};
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display;
	const char *ext;
	EGLint major, minor;

	fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
	mesa_fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
	gbm = gbm_create_device(mesa_fd);
	igt_require_f(gbm, "no GBM device on vprime\n");
	get_platform_display = (void *)eglGetProcAddress("eglGetPlatformDisplayEXT");
	igt_require(get_platform_display);
	dpy = get_platform_display(EGL_PLATFORM_GBM_KHR, gbm, NULL);
	igt_require(dpy != EGL_NO_DISPLAY);
	igt_require_f(eglInitialize(dpy, &major, &minor), "eglInitialize: %#x\n",
		      eglGetError());
	ext = eglQueryString(dpy, EGL_EXTENSIONS);
	igt_require(strstr(ext, "EGL_EXT_image_dma_buf_import"));
	igt_require(strstr(ext, "EGL_KHR_surfaceless_context"));
	igt_require(strstr(ext, "EGL_KHR_no_config_context"));
	igt_assert(eglBindAPI(EGL_OPENGL_ES_API));
	ctx = eglCreateContext(dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, ctx_attrs);
	igt_assert(ctx != EGL_NO_CONTEXT);
	igt_assert(eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx));
	igt_info("EGL %d.%d on %s: %s\n", major, minor,
		 eglQueryString(dpy, EGL_VENDOR), glGetString(GL_RENDERER));
	igt_require(strstr((const char *)glGetString(GL_EXTENSIONS),
			   "GL_OES_EGL_image_external"));

	create_image = (void *)eglGetProcAddress("eglCreateImageKHR");
	destroy_image = (void *)eglGetProcAddress("eglDestroyImageKHR");
	image_target_texture = (void *)eglGetProcAddress("glEGLImageTargetTexture2DOES");
	igt_assert(create_image && destroy_image && image_target_texture);

	build_program();
}

/*
 * Mesa's state tracker keeps the last sampled texture's resource (and so
 * its import: a GEM handle and a mapping of the dma-buf) until something
 * else is bound or the context goes.  A fresh context lets go of it.
 */
static void context_reset(void)
{
	static const EGLint ctx_attrs[] = {
		EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE,
	};

	igt_assert(eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
				  EGL_NO_CONTEXT));
	eglDestroyContext(dpy, ctx);
	ctx = eglCreateContext(dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, ctx_attrs);
	igt_assert(ctx != EGL_NO_CONTEXT);
	igt_assert(eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx));
	build_program();
}

/* Leak checks around Mesa: counted when Mesa holds nothing. */
static struct buf_census census_begin(void)
{
	context_reset();
	return buf_census(fd);
}

static void census_end(const struct buf_census *before)
{
	context_reset();
	assert_census_eq(fd, before);
}

static EGLImageKHR import(const struct src *s)
{
	const EGLint attrs[] = {
		EGL_WIDTH, s->width,
		EGL_HEIGHT, s->height,
		EGL_LINUX_DRM_FOURCC_EXT, s->fourcc,
		EGL_DMA_BUF_PLANE0_FD_EXT, s->dmabuf,
		EGL_DMA_BUF_PLANE0_OFFSET_EXT, s->offset,
		EGL_DMA_BUF_PLANE0_PITCH_EXT, s->pitch,
		EGL_NONE,
	};

	return create_image(dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL,
			    attrs);
}

/* Sample the imported image into an RGBA texture and read it back. */
static uint8_t *read_through_gl(const struct src *s)
{
	static const GLfloat quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };
	EGLImageKHR img = import(s);
	uint8_t *rgba = malloc((size_t)s->width * s->height * 4);
	GLuint tex, rt, fbo;

	igt_assert_f(img != EGL_NO_IMAGE_KHR, "import failed: %#x\n",
		     eglGetError());
	igt_assert(rgba);
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_EXTERNAL_OES, tex);
	glTexParameteri(GL_TEXTURE_EXTERNAL_OES, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	glTexParameteri(GL_TEXTURE_EXTERNAL_OES, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	image_target_texture(GL_TEXTURE_EXTERNAL_OES, img);
	igt_assert_eq(glGetError(), GL_NO_ERROR);

	glGenTextures(1, &rt);
	glBindTexture(GL_TEXTURE_2D, rt);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, s->width, s->height, 0, GL_RGBA,
		     GL_UNSIGNED_BYTE, NULL);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, rt, 0);
	igt_assert_eq(glCheckFramebufferStatus(GL_FRAMEBUFFER),
		      GL_FRAMEBUFFER_COMPLETE);

	glViewport(0, 0, s->width, s->height);
	glUseProgram(prog);
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(GL_TEXTURE_EXTERNAL_OES, tex);
	glUniform1i(glGetUniformLocation(prog, "tex"), 0);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, quad);
	glEnableVertexAttribArray(0);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	glPixelStorei(GL_PACK_ALIGNMENT, 1);
	glReadPixels(0, 0, s->width, s->height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
	igt_assert_eq(glGetError(), GL_NO_ERROR);

	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &fbo);
	glDeleteTextures(1, &rt);
	glDeleteTextures(1, &tex);
	destroy_image(dpy, img);
	glFinish();	/* Mesa lets go of the import now, not later */
	return rgba;
}

static uint8_t clamp8(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* What pixel (x, y) of @s should look like as R, G, B, A. */
static void expected(const struct src *s, const uint8_t *p, uint32_t x,
		     uint32_t y, uint8_t out[4])
{
	const uint8_t *px = p + s->offset + (size_t)y * s->pitch;
	int yy, cb, cr;

	switch (s->fourcc) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		/* little-endian: B, G, R, A in memory */
		out[0] = px[4 * x + 2];
		out[1] = px[4 * x + 1];
		out[2] = px[4 * x];
		out[3] = s->fourcc == DRM_FORMAT_ARGB8888 ? px[4 * x + 3] : 255;
		break;
	case DRM_FORMAT_YUYV:
		/* Y0 Cb Y1 Cr; BT.601 limited range, Mesa's default */
		yy = px[2 * x] - 16;
		cb = px[4 * (x / 2) + 1] - 128;
		cr = px[4 * (x / 2) + 3] - 128;
		out[0] = clamp8((298 * yy + 409 * cr + 128) >> 8);
		out[1] = clamp8((298 * yy - 100 * cb - 208 * cr + 128) >> 8);
		out[2] = clamp8((298 * yy + 516 * cb + 128) >> 8);
		out[3] = 255;
		break;
	default:
		igt_assert(false);
	}
}

/*
 * Every pixel GL read equals what the CPU wrote: exactly for RGB, within
 * the rounding of a YUV->RGB conversion for YUYV.
 */
static void check_pixels(const struct src *s, const uint8_t *rgba)
{
	int tol = s->fourcc == DRM_FORMAT_YUYV ? 4 : 0;
	uint8_t want[4];
	uint32_t x, y;
	int c;

	dmabuf_sync(s->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (y = 0; y < s->height; y++) {
		for (x = 0; x < s->width; x++) {
			const uint8_t *got = rgba + ((size_t)y * s->width + x) * 4;

			expected(s, s->map, x, y, want);
			for (c = 0; c < 4; c++)
				igt_assert_f(abs(got[c] - want[c]) <= tol,
					     "pixel %u,%u channel %d: %u, want %u\n",
					     x, y, c, got[c], want[c]);
		}
	}
	dmabuf_sync(s->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}

/* Fill @s with a pattern; YUYV gets in-range Y'CbCr. */
static void fill(const struct src *s, uint32_t seed)
{
	uint32_t y, x;

	dmabuf_sync(s->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	/* padding and bytes before the offset get a marker */
	memset(s->map, 0xee, s->size);
	for (y = 0; y < s->height; y++) {
		uint8_t *row = s->map + s->offset + (size_t)y * s->pitch;
		uint32_t bytes = s->width * (s->fourcc == DRM_FORMAT_YUYV ? 2 : 4);

		for (x = 0; x < bytes; x++) {
			uint32_t v = (x * 7 + y * 13 + seed) * 2654435761u >> 24;

			if (s->fourcc == DRM_FORMAT_YUYV)
				v = 16 + v % 220;
			row[x] = v;
		}
	}
	dmabuf_sync(s->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

static void roundtrip(const struct src *s, uint32_t seed)
{
	uint8_t *rgba;

	fill(s, seed);
	rgba = read_through_gl(s);
	check_pixels(s, rgba);
	free(rgba);
}

/*
 * GL writes: clear four quadrants of the imported buffer to four colours
 * and check the bytes through the exporter's mapping, padding untouched.
 */
static void gl_write(const struct src *s)
{
	static const uint8_t colour[4][3] = {
		{ 51, 102, 153 }, { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
	};
	EGLImageKHR img = import(s);
	uint32_t x, y, hw = s->width / 2, hh = s->height / 2;
	GLuint tex, fbo;
	int q;

	igt_assert_f(img != EGL_NO_IMAGE_KHR, "import failed: %#x\n",
		     eglGetError());
	fill(s, 5);
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	image_target_texture(GL_TEXTURE_2D, img);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	igt_assert_eq(glCheckFramebufferStatus(GL_FRAMEBUFFER),
		      GL_FRAMEBUFFER_COMPLETE);
	glEnable(GL_SCISSOR_TEST);
	for (q = 0; q < 4; q++) {
		glScissor((q & 1) * hw, (q >> 1) * hh, hw, hh);
		glClearColor(colour[q][0] / 255.0f, colour[q][1] / 255.0f,
			     colour[q][2] / 255.0f, 1.0f);
		glClear(GL_COLOR_BUFFER_BIT);
	}
	glDisable(GL_SCISSOR_TEST);
	glFinish();
	igt_assert_eq(glGetError(), GL_NO_ERROR);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &fbo);
	glDeleteTextures(1, &tex);
	destroy_image(dpy, img);
	glFinish();

	dmabuf_sync(s->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (y = 0; y < 2 * hh; y++) {
		const uint8_t *row = s->map + s->offset + (size_t)y * s->pitch;

		for (x = 0; x < 2 * hw; x++) {
			/* GL's y runs up from the first row in memory */
			q = (x >= hw) + 2 * (y >= hh);
			igt_assert_f(row[4 * x + 2] == colour[q][0] &&
				     row[4 * x + 1] == colour[q][1] &&
				     row[4 * x] == colour[q][2],
				     "pixel %u,%u: %02x%02x%02x\n", x, y,
				     row[4 * x + 2], row[4 * x + 1], row[4 * x]);
		}
	}
	dmabuf_sync(s->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}

static void src_release(struct src *s)
{
	munmap(s->map, s->size);
	close(s->dmabuf);
}

/* A vprime dumb buffer: Mesa imports its own device's export. */
static struct src vprime_dumb(uint32_t w, uint32_t h, uint32_t fourcc,
			      uint32_t *handle)
{
	struct src s = { .width = w, .height = h, .fourcc = fourcc };
	uint64_t size;

	*handle = dumb_create(fd, w, h, 32, &s.pitch, &size);
	s.size = size;
	s.dmabuf = vp_prime_handle_to_fd(fd, *handle);
	s.map = dmabuf_mmap(s.dmabuf, s.size, PROT_READ | PROT_WRITE);
	return s;
}

/* A GEM_CREATE object laid out by the test: pitch and offset chosen. */
static struct src vprime_gem(uint32_t w, uint32_t h, uint32_t pitch,
			     uint32_t offset, uint32_t fourcc, uint32_t *handle)
{
	struct src s = {
		.width = w, .height = h, .pitch = pitch, .offset = offset,
		.fourcc = fourcc,
	};

	s.size = ((size_t)offset + pitch * h + 4095) & ~4095ul;
	*handle = vprime_gem_create(fd, s.size, 0);
	s.dmabuf = vp_prime_handle_to_fd(fd, *handle);
	s.map = dmabuf_mmap(s.dmabuf, s.size, PROT_READ | PROT_WRITE);
	return s;
}

/*
 * vivid's exported dma-bufs pin videobuf2, not vivid: unloading vivid while
 * one lives leaves the buffer pointing at vivid's freed device, and its
 * release oopses (seen on Debian's 6.1).  Unload only when none is left.
 */
static void vivid_unload_safe(void)
{
	int left = bufinfo_count("videobuf2_vmalloc") +
		   bufinfo_count("videobuf2_dma_contig");

	if (left)
		igt_warn("%d vivid dma-bufs alive: vivid stays loaded\n", left);
	else
		vivid_unload();
}

static void vivid_roundtrip(int allocators, uint32_t v4l2_fourcc,
			    uint32_t drm_fourcc)
{
	struct buf_census before = census_begin();
	uint32_t bpl = 0, length;
	struct src s = { .fourcc = drm_fourcc, .width = 320, .height = 180 };
	void *vp;
	int cap;

	igt_assert_f(bufinfo_count("videobuf2_vmalloc") +
		     bufinfo_count("videobuf2_dma_contig") == 0,
		     "an earlier vivid dma-buf is alive: not reloading vivid\n");
	vivid_reload(allocators);
	cap = vivid_open("vid-cap");
	v4l2_set_format(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 320, 180, v4l2_fourcc,
			&bpl);
	s.pitch = bpl;
	igt_assert_eq(v4l2_reqbufs_mmap(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 2), 2);
	vp = v4l2_mmap_buffer(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, &length);
	munmap(vp, length);
	s.dmabuf = v4l2_expbuf(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0);
	s.size = length;
	s.map = dmabuf_mmap(s.dmabuf, s.size, PROT_READ | PROT_WRITE);
	roundtrip(&s, 0x77 + allocators);
	src_release(&s);
	igt_assert_eq(v4l2_reqbufs_mmap(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0), 0);
	close(cap);
	/* Mesa's import is gone too: nothing holds vivid's buffers */
	census_end(&before);
	vivid_unload_safe();
}

igt_main
{
	igt_fixture {
		egl_setup();
	}

	igt_describe("A vprime dumb buffer with an odd size, pitch > width*4");
	igt_subtest("vprime-dumb-xrgb8888") {
		uint32_t h;
		struct src s = vprime_dumb(67, 45, DRM_FORMAT_XRGB8888, &h);

		igt_assert_lt(67 * 4, s.pitch);
		roundtrip(&s, 1);
		src_release(&s);
		vp_gem_close(fd, h);
	}

	igt_subtest("vprime-dumb-argb8888") {
		uint32_t h;
		struct src s = vprime_dumb(64, 33, DRM_FORMAT_ARGB8888, &h);

		roundtrip(&s, 2);
		src_release(&s);
		vp_gem_close(fd, h);
	}

	igt_describe("A GEM_CREATE object with pitch 512 and a 4 KiB offset");
	igt_subtest("vprime-gem-pitch-offset") {
		uint32_t h;
		struct src s = vprime_gem(101, 37, 512, 4096,
					  DRM_FORMAT_XRGB8888, &h);

		roundtrip(&s, 3);
		src_release(&s);
		vp_gem_close(fd, h);
	}

	igt_describe("YUYV is converted to RGB by Mesa within rounding");
	igt_subtest("vprime-gem-yuyv") {
		uint32_t h;
		struct src s = vprime_gem(66, 40, 192, 0, DRM_FORMAT_YUYV, &h);

		roundtrip(&s, 4);
		src_release(&s);
		vp_gem_close(fd, h);
	}

	igt_describe("GL renders into an imported vprime buffer");
	igt_subtest("vprime-gl-write") {
		uint32_t h;
		struct src s = vprime_dumb(50, 30, DRM_FORMAT_XRGB8888, &h);

		gl_write(&s);
		src_release(&s);
		vp_gem_close(fd, h);
	}

	igt_describe("A /dev/cenalloc buffer, read and written by GL");
	igt_subtest("cenalloc") {
		struct src s = {
			.width = 96, .height = 64, .pitch = 448,
			.fourcc = DRM_FORMAT_XRGB8888, .size = 448 * 64,
		};
		struct buf_census before = census_begin();
		int cfd = cenalloc_open();

		igt_assert_eq(__cenalloc_alloc(cfd, s.size, 0, &s.dmabuf), 0);
		s.map = dmabuf_mmap(s.dmabuf, s.size, PROT_READ | PROT_WRITE);
		roundtrip(&s, 6);
		gl_write(&s);
		src_release(&s);
		close(cfd);
		census_end(&before);
	}

	igt_describe("vgem buffers: vgem itself cannot map them for Mesa");
	igt_subtest("vgem") {
		struct buf_census before = census_begin();
		int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		struct src s = { .width = 80, .height = 50,
				 .fourcc = DRM_FORMAT_XRGB8888 };
		uint64_t size;
		uint32_t h;

		igt_require(vgem >= 0);
		h = dumb_create(vgem, 80, 50, 32, &s.pitch, &size);
		s.size = size;
		s.dmabuf = vp_prime_handle_to_fd(vgem, h);
		s.map = dmabuf_mmap(s.dmabuf, s.size, PROT_READ | PROT_WRITE);
		roundtrip(&s, 7);
		gl_write(&s);
		src_release(&s);
		vp_gem_close(vgem, h);
		close(vgem);
		census_end(&before);
		/* and vgem's dma-buf is gone: vprime's import let it go */
		igt_assert_eq(bufinfo_count("drm"), 0);
	}

	igt_describe("vivid capture buffers (EXPBUF) read by Mesa through vprime");
	igt_subtest("vivid-vmalloc-xrgb8888")
		vivid_roundtrip(0, V4L2_PIX_FMT_XBGR32, DRM_FORMAT_XRGB8888);
	igt_subtest("vivid-dma-contig-xrgb8888")
		vivid_roundtrip(1, V4L2_PIX_FMT_XBGR32, DRM_FORMAT_XRGB8888);
	igt_subtest("vivid-vmalloc-yuyv")
		vivid_roundtrip(0, V4L2_PIX_FMT_YUYV, DRM_FORMAT_YUYV);
	igt_subtest("vivid-dma-contig-yuyv")
		vivid_roundtrip(1, V4L2_PIX_FMT_YUYV, DRM_FORMAT_YUYV);

	igt_describe("A pitch too small or an offset past the end fails visibly");
	igt_subtest("bad-pitch-offset") {
		struct buf_census before = census_begin();
		uint32_t h;
		struct src s = vprime_dumb(64, 64, DRM_FORMAT_XRGB8888, &h);
		struct src bad = s;
		EGLImageKHR img;

		/*
		 * Rows that overlap are odd but well defined: Mesa 22.3
		 * accepts them, and then GL must see exactly those bytes.
		 */
		bad.pitch = 64 * 4 - 4;
		img = import(&bad);
		if (img == EGL_NO_IMAGE_KHR) {
			igt_assert_neq(eglGetError(), EGL_SUCCESS);
		} else {
			destroy_image(dpy, img);
			roundtrip(&bad, 9);
		}

		bad = s;
		bad.offset = s.size + 4096;	/* past the end */
		img = import(&bad);
		igt_assert(img == EGL_NO_IMAGE_KHR);
		igt_assert_neq(eglGetError(), EGL_SUCCESS);

		bad = s;
		bad.height = s.size / s.pitch + 1;	/* last row past the end */
		img = import(&bad);
		igt_assert(img == EGL_NO_IMAGE_KHR);
		igt_assert_neq(eglGetError(), EGL_SUCCESS);

		src_release(&s);
		vp_gem_close(fd, h);
		census_end(&before);
	}

	igt_fixture {
		eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
		eglDestroyContext(dpy, ctx);
		eglTerminate(dpy);
		gbm_device_destroy(gbm);
		close(mesa_fd);
		vivid_unload_safe();
		close(fd);
	}
}
