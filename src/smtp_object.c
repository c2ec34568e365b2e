#include "php.h"
#include "smtp_object.h"

void php_smtp_object_set_slot(zend_object *obj, const char *name, zval *value)
{
	zend_property_info *info = zend_hash_str_find_ptr(&obj->ce->properties_info, name, strlen(name));

	ZEND_ASSERT(info && !(info->flags & ZEND_ACC_STATIC));
	if (!info) {
		zval_ptr_dtor(value);
		return;
	}
	zval *slot = OBJ_PROP(obj, info->offset);
	zval old;
	ZVAL_COPY_VALUE(&old, slot);
	ZVAL_COPY_VALUE(slot, value);
	if (Z_TYPE(old) != IS_UNDEF) {
		zval_ptr_dtor(&old);
	}
}
