package org.dsv3.model.chat;

import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.util.ForLoop;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a chat template may reach through {@code .} and {@code []}: the entries of dicts and lists,
 * the loop variable's fields, Python's string methods ({@link PythonStringMethods}) and a few
 * Python dict and list methods. Nothing else: no Java method is callable on a value (a template
 * writing {@code bos_token.toUpperCase()} or {@code messages.getClass()} is refused), and no
 * Java bean property of a value is readable ({@code bos_token.bytes} is undefined).
 */
final class SandboxResolver extends ELResolver {
    private static final Set<String> DICT_METHODS = Set.of("get", "items", "keys", "values");
    private static final Set<String> LIST_METHODS = Set.of("append", "extend", "insert", "pop", "index", "count");
    private static final Set<String> LOOP_METHODS = Set.of("cycle");

    private final PythonStringMethods strings = new PythonStringMethods();
    private final ELResolver collections;

    /** @param collections resolves entries of maps, lists and arrays and the allowed calls on them */
    SandboxResolver(ELResolver collections) {
        this.collections = collections;
    }

    /** Thrown for a call that templates may not make. */
    static final class ForbiddenCall extends ELException {
        ForbiddenCall(String message) {
            super(message);
        }
    }

    private static boolean isContainer(Object base) {
        return base instanceof Map<?, ?> || base instanceof List<?> || base.getClass().isArray() || base instanceof ForLoop;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null) {
            return null;
        }
        String name = method.toString();
        if (base instanceof String) {
            Object r = strings.invoke(context, base, method, paramTypes, params);
            if (context.isPropertyResolved()) {
                return r;
            }
        } else if ((base instanceof Filter && name.equals("filter"))
                || (base instanceof ExpTest && (name.equals("evaluate") || name.equals("evaluateNegated")))
                || (base instanceof Map<?, ?> && DICT_METHODS.contains(name))
                || (base instanceof List<?> && LIST_METHODS.contains(name))
                || (base instanceof ForLoop && LOOP_METHODS.contains(name))) {
            return collections.invoke(context, base, method, paramTypes, params);
        }
        throw new ForbiddenCall("chat templates cannot call '" + name + "' on " + kind(base));
    }

    private static String kind(Object base) {
        if (base instanceof String) {
            return "a string";
        }
        if (base instanceof Map<?, ?>) {
            return "a dict";
        }
        if (base instanceof List<?>) {
            return "a list";
        }
        if (base instanceof Number) {
            return "a number";
        }
        return "a value of this kind";
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base == null || isContainer(base)) {
            return collections.getValue(context, base, property);
        }
        context.setPropertyResolved(true); // any other value has no readable properties: undefined
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        if (base == null || isContainer(base)) {
            return collections.getType(context, base, property);
        }
        context.setPropertyResolved(true);
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        if (base == null || base instanceof Map<?, ?> || base instanceof List<?>) {
            collections.setValue(context, base, property, value);
            return;
        }
        throw new ForbiddenCall("chat templates cannot set '" + property + "' on " + kind(base));
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        if (base == null || base instanceof Map<?, ?> || base instanceof List<?>) {
            return collections.isReadOnly(context, base, property);
        }
        context.setPropertyResolved(true);
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return base == null || isContainer(base) ? collections.getCommonPropertyType(context, base) : null;
    }
}
