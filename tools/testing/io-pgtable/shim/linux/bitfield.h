/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: FIELD_PREP/FIELD_GET and friends. */
#ifndef _SHIM_LINUX_BITFIELD_H
#define _SHIM_LINUX_BITFIELD_H

#include <linux/bitops.h>

#define __bf_shf(x)		__builtin_ctzll(x)
/* statement expressions, as in the kernel */
#define FIELD_PREP(_mask, _val) ({					\
	__typeof__(_mask) __mask = (_mask);				\
	(__typeof__(_mask))(((__typeof__(_mask))(_val) << __bf_shf(__mask)) & __mask); })
#define FIELD_GET(_mask, _reg) ({					\
	__typeof__(_mask) __mask = (_mask);				\
	(__typeof__(_mask))(((_reg) & __mask) >> __bf_shf(__mask)); })
#define FIELD_MAX(_mask) ({						\
	__typeof__(_mask) __mask = (_mask);				\
	(__typeof__(_mask))(__mask >> __bf_shf(__mask)); })
#define FIELD_FIT(_mask, _val) ({					\
	__typeof__(_mask) __mask = (_mask);				\
	!((((__typeof__(_mask))(_val)) << __bf_shf(__mask)) & ~__mask); })
#define u64_encode_bits(v, field)	FIELD_PREP((u64)(field), v)
#define u64_get_bits(v, field)		FIELD_GET((u64)(field), v)
#define u32_encode_bits(v, field)	FIELD_PREP((u32)(field), v)
#define u32_get_bits(v, field)		FIELD_GET((u32)(field), v)

#endif /* _SHIM_LINUX_BITFIELD_H */
