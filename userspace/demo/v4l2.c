// SPDX-License-Identifier: MIT
/*
 * vprime-demo: vivid's HDMI output looped to its HDMI capture.  Errors
 * are reported and returned as -errno.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "demo.h"
#include "vprime.h"

static int select_hdmi(int fd, bool output)
{
	union {
		struct v4l2_input in;
		struct v4l2_output out;
	} u;
	int i, ret;

	for (i = 0; ; i++) {
		memset(&u, 0, sizeof(u));
		u.in.index = i;
		ret = vprime_ioctl(fd, output ? VIDIOC_ENUMOUTPUT :
					   VIDIOC_ENUMINPUT, &u);
		if (ret)
			return ret;
		if (!strncmp((const char *)(output ? u.out.name : u.in.name),
			     "HDMI", 4))
			return vprime_ioctl(fd, output ? VIDIOC_S_OUTPUT :
					   VIDIOC_S_INPUT, &i);
	}
}

static int set_timings(int fd, uint32_t width, uint32_t height)
{
	struct v4l2_enum_dv_timings e;
	uint32_t i;
	int ret;

	for (i = 0; ; i++) {
		memset(&e, 0, sizeof(e));
		e.index = i;
		ret = vprime_ioctl(fd, VIDIOC_ENUM_DV_TIMINGS, &e);
		if (ret)
			return ret;
		if (e.timings.bt.width == width &&
		    e.timings.bt.height == height && !e.timings.bt.interlaced)
			return vprime_ioctl(fd, VIDIOC_S_DV_TIMINGS, &e.timings);
	}
}

static int set_format(int fd, uint32_t type, uint32_t width, uint32_t height,
		      uint32_t fourcc, uint32_t pitch, struct demo_vivid *v)
{
	struct v4l2_format fmt = { .type = type };
	int ret;

	fmt.fmt.pix.width = width;
	fmt.fmt.pix.height = height;
	fmt.fmt.pix.pixelformat = fourcc;
	fmt.fmt.pix.bytesperline = pitch;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	ret = vprime_ioctl(fd, VIDIOC_S_FMT, &fmt);
	if (ret)
		return ret;
	if (fmt.fmt.pix.width != width || fmt.fmt.pix.height != height ||
	    fmt.fmt.pix.pixelformat != fourcc ||
	    fmt.fmt.pix.bytesperline != pitch)
		return -EINVAL;
	v->sizeimage = fmt.fmt.pix.sizeimage;
	v->bytesperline = fmt.fmt.pix.bytesperline;
	return 0;
}

/* Set control @name (as v4l2-ctl lists it) to @value, or menu item @item. */
static int set_ctrl(int fd, const char *name, int value, const char *item)
{
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };
	struct v4l2_querymenu m;
	struct v4l2_control c;

	while (!vprime_ioctl(fd, VIDIOC_QUERYCTRL, &q)) {
		if (strcmp((const char *)q.name, name)) {
			q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
			continue;
		}
		for (m.index = 0; item && m.index <= (uint32_t)q.maximum;
		     m.index++) {
			m.id = q.id;
			if (!vprime_ioctl(fd, VIDIOC_QUERYMENU, &m) &&
			    !strcmp((const char *)m.name, item)) {
				value = m.index;
				break;
			}
		}
		c.id = q.id;
		c.value = value;
		return vprime_ioctl(fd, VIDIOC_S_CTRL, &c);
	}
	return -ENOENT;
}

/*
 * Loop vivid's output into its capture: the "Loop Video" control on Linux 6.1,
 * the HDMI input's "Is Connected To" menu on 6.12.
 */
static int loop_on(int cap)
{
	int ret = set_ctrl(cap, "Loop Video", 1, NULL);

	if (ret != -ENOENT)
		return ret;
	return set_ctrl(cap, "HDMI 000-0 Is Connected To", -1,
			"Output HDMI 000-0");
}

static int step(struct demo_vivid *v, const char *what, int ret)
{
	if (ret >= 0)
		return 0;
	vivid_loop_close(v);
	return demo_fail("vivid: %s: %s", what, strerror(-ret));
}

int vivid_loop_open(struct demo_vivid *v, uint32_t width, uint32_t height,
		    uint32_t fourcc, uint32_t pitch)
{
	const uint32_t out = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	const uint32_t cap = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	v->out = vprime_v4l2_open("vivid-000-vid-out", v->out_path,
				  sizeof(v->out_path));
	v->cap = vprime_v4l2_open("vivid-000-vid-cap", v->cap_path,
				  sizeof(v->cap_path));
	return step(v, "no vivid output node (is vivid loaded?)", v->out) ||
	       step(v, "no vivid capture node", v->cap) ||
	       step(v, "select HDMI output", select_hdmi(v->out, true)) ||
	       step(v, "select HDMI input", select_hdmi(v->cap, false)) ||
	       step(v, "output DV timings", set_timings(v->out, width, height)) ||
	       step(v, "capture DV timings", set_timings(v->cap, width, height)) ||
	       step(v, "output format",
		    set_format(v->out, out, width, height, fourcc, pitch, v)) ||
	       step(v, "capture format",
		    set_format(v->cap, cap, width, height, fourcc, pitch, v)) ||
	       /* no timestamp text over the looped picture, and loop it */
	       step(v, "OSD Text Mode",
		    set_ctrl(v->cap, "OSD Text Mode", 0, "None")) ||
	       step(v, "Loop Video", loop_on(v->cap));
}

void vivid_loop_close(struct demo_vivid *v)
{
	if (v->out >= 0)
		close(v->out);
	if (v->cap >= 0)
		close(v->cap);
	v->out = -1;
	v->cap = -1;
}
