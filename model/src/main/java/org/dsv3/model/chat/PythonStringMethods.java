package org.dsv3.model.chat;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Python's {@code str} methods for templates written against Python's Jinja: without this,
 * Jinjava would call Java's methods of the same name ({@code split} takes a regex and a part
 * count) or fail ({@code startswith}). Handles {@code split}, {@code rsplit}, {@code strip},
 * {@code lstrip}, {@code rstrip}, {@code startswith}, {@code endswith}, {@code lower},
 * {@code upper}, {@code title}, {@code capitalize}, {@code replace}, {@code find}, {@code count}
 * and {@code join}; any other call falls through to Jinjava.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] p = params == null ? new Object[0] : params;
        Object result = call(s, method.toString(), p);
        if (result != NOT_HANDLED) {
            context.setPropertyResolved(true);
            return result;
        }
        return null;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object call(String s, String name, Object[] p) {
        return switch (name) {
            case "split" -> p.length == 0 || p[0] == null ? splitWhitespace(s, maxSplit(p, 1))
                    : split(s, str(p[0]), maxSplit(p, 1));
            case "rsplit" -> p.length == 0 || p[0] == null ? rsplitWhitespace(s, maxSplit(p, 1))
                    : rsplit(s, str(p[0]), maxSplit(p, 1));
            case "strip" -> rstrip(lstrip(s, chars(p)), chars(p));
            case "lstrip" -> lstrip(s, chars(p));
            case "rstrip" -> rstrip(s, chars(p));
            case "startswith" -> p.length == 1 ? s.startsWith(str(p[0])) : NOT_HANDLED;
            case "endswith" -> p.length == 1 ? s.endsWith(str(p[0])) : NOT_HANDLED;
            case "lower" -> p.length == 0 ? s.toLowerCase(Locale.ROOT) : NOT_HANDLED;
            case "upper" -> p.length == 0 ? s.toUpperCase(Locale.ROOT) : NOT_HANDLED;
            case "title" -> p.length == 0 ? title(s) : NOT_HANDLED;
            case "capitalize" -> p.length == 0 ? capitalize(s) : NOT_HANDLED;
            case "replace" -> p.length >= 2 ? replace(s, str(p[0]), str(p[1]), p.length > 2 ? ((Number) p[2]).intValue() : -1)
                    : NOT_HANDLED;
            case "find" -> p.length == 1 ? (long) s.indexOf(str(p[0])) : NOT_HANDLED;
            case "count" -> p.length == 1 ? count(s, str(p[0])) : NOT_HANDLED;
            case "join" -> p.length == 1 && p[0] instanceof Iterable<?> it ? join(s, it) : NOT_HANDLED;
            default -> NOT_HANDLED;
        };
    }

    private static String str(Object o) {
        return String.valueOf(o);
    }

    private static int maxSplit(Object[] p, int index) {
        return p.length > index && p[index] instanceof Number n ? n.intValue() : -1;
    }

    private static String chars(Object[] p) {
        return p.length > 0 && p[0] != null ? str(p[0]) : null;
    }

    private static boolean isPySpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static List<String> split(String s, String sep, int max) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        List<String> out = new ArrayList<>();
        int pos = 0;
        while (max < 0 || out.size() < max) {
            int at = s.indexOf(sep, pos);
            if (at < 0) {
                break;
            }
            out.add(s.substring(pos, at));
            pos = at + sep.length();
        }
        out.add(s.substring(pos));
        return out;
    }

    private static List<String> rsplit(String s, String sep, int max) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        List<String> out = new ArrayList<>();
        int end = s.length();
        while (max < 0 || out.size() < max) {
            int at = s.lastIndexOf(sep, end - sep.length());
            if (at < 0) {
                break;
            }
            out.add(s.substring(at + sep.length(), end));
            end = at;
        }
        out.add(s.substring(0, end));
        Collections.reverse(out);
        return out;
    }

    private static List<String> splitWhitespace(String s, int max) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && isPySpace(s.charAt(i))) {
                i++;
            }
            if (i == n) {
                break;
            }
            if (max >= 0 && out.size() == max) {
                out.add(rstrip(s.substring(i), null));
                break;
            }
            int j = i;
            while (j < n && !isPySpace(s.charAt(j))) {
                j++;
            }
            out.add(s.substring(i, j));
            i = j;
        }
        return out;
    }

    private static List<String> rsplitWhitespace(String s, int max) {
        if (max < 0) {
            return splitWhitespace(s, -1);
        }
        List<String> out = new ArrayList<>();
        int j = s.length();
        while (true) {
            while (j > 0 && isPySpace(s.charAt(j - 1))) {
                j--;
            }
            if (j == 0) {
                break;
            }
            if (out.size() == max) {
                out.add(lstrip(s.substring(0, j), null));
                break;
            }
            int i = j;
            while (i > 0 && !isPySpace(s.charAt(i - 1))) {
                i--;
            }
            out.add(s.substring(i, j));
            j = i;
        }
        Collections.reverse(out);
        return out;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && (chars == null ? isPySpace(s.charAt(i)) : chars.indexOf(s.charAt(i)) >= 0)) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && (chars == null ? isPySpace(s.charAt(j - 1)) : chars.indexOf(s.charAt(j - 1)) >= 0)) {
            j--;
        }
        return s.substring(0, j);
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            sb.appendCodePoint(prevCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            prevCased = Character.isLetter(c);
        }
        return sb.toString();
    }

    private static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int c = s.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(c))
                .append(s.substring(Character.charCount(c)).toLowerCase(Locale.ROOT)).toString();
    }

    private static String replace(String s, String old, String with, int count) {
        if (count < 0) {
            return s.replace(old, with);
        }
        StringBuilder sb = new StringBuilder();
        int pos = 0;
        for (int k = 0; k < count; k++) {
            int at = s.indexOf(old, pos);
            if (at < 0) {
                break;
            }
            sb.append(s, pos, at).append(with);
            pos = at + old.length();
            if (old.isEmpty()) {
                if (pos >= s.length()) {
                    break;
                }
                sb.append(s.charAt(pos++));
            }
        }
        return sb.append(s.substring(Math.min(pos, s.length()))).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Iterable<?> items) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : items) {
            if (!first) {
                sb.append(sep);
            }
            sb.append(o);
            first = false;
        }
        return sb.toString();
    }

    // Property access is left to the other resolvers.

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
