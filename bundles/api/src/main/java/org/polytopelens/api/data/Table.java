package org.polytopelens.api.data;

import java.util.List;

/** Rows of values (numbers, strings) under named columns. */
public record Table(String name, String title, List<String> columns, List<List<Object>> rows) implements Result {
    public Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<Object> r : rows) {
            if (r.size() != columns.size()) {
                throw new IllegalArgumentException("table '" + name + "': a row has " + r.size() + " values for " + columns.size() + " columns");
            }
        }
    }
}
