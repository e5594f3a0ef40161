// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: where a device's constraints come from.
 *
 * 1. A driver that knows its device declares them with
 *    cenalloc_device_declare().
 * 2. Otherwise they are inferred from the DMA API: the DMA mask and bus
 *    limit give the address limit, dma_parms the segment size and
 *    boundary.
 * 3. Either way, the platform policy adds to them: rules set by the
 *    administrator (module parameter "policy", or lines written to
 *    debugfs cenalloc/policy) that name a device or a driver and add
 *    constraints no API reports, such as "vivid contiguous" when vivid
 *    maps through videobuf2-dma-contig.
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "cenalloc_drv.h"

/**
 * struct cenalloc_rule - a platform policy rule or a driver's declaration
 * @node: entry in cenalloc_rules or cenalloc_decls
 * @dev: the declaring device (declarations only)
 * @match: device or driver name (rules only)
 * @c: the constraints
 */
struct cenalloc_rule {
	struct list_head node;
	struct device *dev;
	char match[CENALLOC_MATCH_LEN];
	struct cenalloc_constraints c;
};

/* Protects cenalloc_rules and cenalloc_decls. */
static DEFINE_MUTEX(cenalloc_policy_lock);
/* Policy rules; protected by cenalloc_policy_lock. */
static LIST_HEAD(cenalloc_rules);
/* Driver declarations; protected by cenalloc_policy_lock. */
static LIST_HEAD(cenalloc_decls);

static struct cenalloc_rule *cenalloc_find_decl(struct device *dev)
{
	struct cenalloc_rule *r;

	lockdep_assert_held(&cenalloc_policy_lock);
	list_for_each_entry(r, &cenalloc_decls, node)
		if (r->dev == dev)
			return r;
	return NULL;
}

static struct cenalloc_rule *cenalloc_find_rule(const char *match)
{
	struct cenalloc_rule *r;

	lockdep_assert_held(&cenalloc_policy_lock);
	list_for_each_entry(r, &cenalloc_rules, node)
		if (!strcmp(r->match, match))
			return r;
	return NULL;
}

static void cenalloc_infer(struct device *dev, struct cenalloc_constraints *c)
{
	u64 limit = dma_get_mask(dev);

	cenalloc_constraints_init(c);
	if (dev->bus_dma_limit)
		limit = min_t(u64, limit, dev->bus_dma_limit);
	c->dma_limit = limit;
	/* Often UINT_MAX or 0xffff: whole pages are what can be cut. */
	c->max_segment = round_down((u64)dma_get_max_seg_size(dev), PAGE_SIZE);
	c->seg_boundary = dma_get_seg_boundary(dev);
}

/**
 * cenalloc_device_constraints() - gather what a device needs
 * @dev: the attaching device
 * @c: filled in
 *
 * Return: a static string naming the sources, for debugfs.
 */
const char *cenalloc_device_constraints(struct device *dev,
					struct cenalloc_constraints *c)
{
	struct cenalloc_rule *decl, *rule;

	mutex_lock(&cenalloc_policy_lock);
	decl = cenalloc_find_decl(dev);
	if (decl)
		*c = decl->c;
	else
		cenalloc_infer(dev, c);
	rule = cenalloc_find_rule(dev_name(dev));
	if (!rule && dev->driver)
		rule = cenalloc_find_rule(dev->driver->name);
	/* A conflict with the policy leaves c unusable: the attach fails. */
	if (rule)
		cenalloc_constraints_combine(c, c, &rule->c);
	mutex_unlock(&cenalloc_policy_lock);

	if (decl)
		return rule ? "declared+policy" : "declared";
	return rule ? "dma-api+policy" : "dma-api";
}

/**
 * cenalloc_device_declare() - a driver states its device's constraints
 * @dev: the device
 * @c: what it needs of any buffer it maps; replaces an earlier declaration
 *
 * Used instead of what the DMA API reports; the platform policy still
 * applies.  Call cenalloc_device_forget() before @dev goes away.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL when @c cannot be met, or -ENOMEM.
 */
int cenalloc_device_declare(struct device *dev,
			    const struct cenalloc_constraints *c)
{
	struct cenalloc_rule *r, *new;

	might_sleep();
	if (cenalloc_constraints_validate(c) != CENALLOC_OK)
		return -EINVAL;
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->dev = dev;
	new->c = *c;

	mutex_lock(&cenalloc_policy_lock);
	r = cenalloc_find_decl(dev);
	if (r) {
		r->c = *c;
		kfree(new);
	} else {
		list_add_tail(&new->node, &cenalloc_decls);
	}
	mutex_unlock(&cenalloc_policy_lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_device_declare, CENALLOC);

/**
 * cenalloc_device_forget() - drop a device's declaration
 * @dev: the device
 *
 * Context: process context, may sleep.
 */
void cenalloc_device_forget(struct device *dev)
{
	struct cenalloc_rule *r;

	mutex_lock(&cenalloc_policy_lock);
	r = cenalloc_find_decl(dev);
	if (r)
		list_del(&r->node);
	mutex_unlock(&cenalloc_policy_lock);
	kfree(r);
}
EXPORT_SYMBOL_NS_GPL(cenalloc_device_forget, CENALLOC);

/**
 * cenalloc_policy_write() - add, replace or clear one policy rule
 * @line: "MATCH:KEY[,KEY=VALUE]..." or "MATCH [KEY[=VALUE]]..."
 *	(cenalloc_policy_parse()); with no key the rule for MATCH is removed
 *
 * Return: 0, -EINVAL for a malformed rule, or -ENOMEM.
 */
int cenalloc_policy_write(const char *line)
{
	struct cenalloc_constraints c, none;
	struct cenalloc_rule *r, *new = NULL;
	char match[CENALLOC_MATCH_LEN];
	int ret;

	ret = cenalloc_policy_parse(line, match, sizeof(match), &c);
	if (ret)
		return -EINVAL;
	cenalloc_constraints_init(&none);
	if (memcmp(&c, &none, sizeof(c))) {
		new = kzalloc(sizeof(*new), GFP_KERNEL);
		if (!new)
			return -ENOMEM;
		strscpy(new->match, match, sizeof(new->match));
		new->c = c;
	}

	mutex_lock(&cenalloc_policy_lock);
	r = cenalloc_find_rule(match);
	if (r)
		list_del(&r->node);
	if (new)
		list_add_tail(&new->node, &cenalloc_rules);
	mutex_unlock(&cenalloc_policy_lock);
	kfree(r);
	return 0;
}

/**
 * cenalloc_policy_show() - print rules and declarations for debugfs
 * @m: the seq_file
 */
void cenalloc_policy_show(struct seq_file *m)
{
	struct cenalloc_rule *r;
	char text[160];

	mutex_lock(&cenalloc_policy_lock);
	list_for_each_entry(r, &cenalloc_rules, node) {
		cenalloc_constraints_format(text, sizeof(text), &r->c);
		seq_printf(m, "%s %s\n", r->match, text);
	}
	list_for_each_entry(r, &cenalloc_decls, node) {
		cenalloc_constraints_format(text, sizeof(text), &r->c);
		seq_printf(m, "# declared by %s: %s\n", dev_name(r->dev), text);
	}
	mutex_unlock(&cenalloc_policy_lock);
}

/* -EINVAL unless @rule parses and constrains something. */
static int cenalloc_policy_check_sets(const char *rule)
{
	struct cenalloc_constraints c, none;
	char match[CENALLOC_MATCH_LEN];

	if (cenalloc_policy_parse(rule, match, sizeof(match), &c))
		return -EINVAL;
	cenalloc_constraints_init(&none);
	return memcmp(&c, &none, sizeof(c)) ? 0 : -EINVAL;
}

/**
 * cenalloc_policy_init() - load the rules of the module parameter
 * @rules: rules separated by ';', or NULL
 *
 * All or nothing: a malformed rule fails the load, and so does a rule that
 * sets nothing (at load there is nothing to clear), which is what a shell
 * leaves of policy="vivid contiguous" without inner quotes.
 *
 * Return: 0, or -EINVAL naming the bad rule in the log.
 */
int cenalloc_policy_init(const char *rules)
{
	char *copy, *p, *rule;
	int ret = 0;

	if (!rules || !*rules)
		return 0;
	copy = kstrdup(rules, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	p = copy;
	while ((rule = strsep(&p, ";")) != NULL) {
		if (!*skip_spaces(rule))
			continue;
		ret = cenalloc_policy_check_sets(rule);
		if (!ret)
			ret = cenalloc_policy_write(rule);
		if (ret) {
			pr_err("cenalloc: bad policy rule \"%s\": write MATCH:KEY[,KEY=VALUE]... as in policy=vivid:contiguous,limit=0xffffffff; no rule loaded\n",
			       rule);
			cenalloc_policy_exit();
			break;
		}
	}
	kfree(copy);
	return ret;
}

/**
 * cenalloc_policy_exit() - drop every rule and declaration
 */
void cenalloc_policy_exit(void)
{
	struct cenalloc_rule *r, *tmp;

	mutex_lock(&cenalloc_policy_lock);
	list_for_each_entry_safe(r, tmp, &cenalloc_rules, node) {
		list_del(&r->node);
		kfree(r);
	}
	list_for_each_entry_safe(r, tmp, &cenalloc_decls, node) {
		list_del(&r->node);
		kfree(r);
	}
	mutex_unlock(&cenalloc_policy_lock);
}
