package org.vccid.conformance.internal.runner;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/** LDAP filters on card properties (OSGi core's filter, which also works without a framework). */
public final class Filters {

    private Filters() {
    }

    /** @throws IllegalArgumentException for a malformed filter */
    public static boolean matches(String filter, Map<String, Object> properties) {
        try {
            Dictionary<String, Object> d = new Hashtable<>(properties);
            return FrameworkUtil.createFilter(filter).match(d);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad filter " + filter + ": " + e.getMessage(), e);
        }
    }
}
