/*
 * Small helpers for objects the extension fills from C: read-only properties
 * are written straight into their slots, so an object built by the extension
 * (a Receipt, an exception) looks exactly like one whose constructor set them.
 */
#ifndef PHP_SMTP_OBJECT_H
#define PHP_SMTP_OBJECT_H

#include "php.h"

/* Sets a declared property of obj by name, bypassing the read-only check.
 * Takes over one reference of value (the caller must not release it). */
void php_smtp_object_set_slot(zend_object *obj, const char *name, zval *value);

static inline void php_smtp_object_set_long(zend_object *obj, const char *name, zend_long v)
{
	zval z;
	ZVAL_LONG(&z, v);
	php_smtp_object_set_slot(obj, name, &z);
}

static inline void php_smtp_object_set_bool(zend_object *obj, const char *name, bool v)
{
	zval z;
	ZVAL_BOOL(&z, v);
	php_smtp_object_set_slot(obj, name, &z);
}

static inline void php_smtp_object_set_str(zend_object *obj, const char *name, const char *s, size_t len)
{
	zval z;
	ZVAL_STRINGL(&z, s, len);
	php_smtp_object_set_slot(obj, name, &z);
}

static inline void php_smtp_object_set_empty_array(zend_object *obj, const char *name)
{
	zval z;
	ZVAL_EMPTY_ARRAY(&z);
	php_smtp_object_set_slot(obj, name, &z);
}

#endif
