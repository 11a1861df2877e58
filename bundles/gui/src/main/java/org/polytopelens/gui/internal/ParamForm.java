package org.polytopelens.gui.internal;

import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JTextField;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;
import org.polytopelens.core.ParameterInfo;
import org.polytopelens.core.ProviderInfo;

/**
 * A plugin's parameters as a form generated from its Metatype schema: a check box for a boolean, a
 * drop-down for options, a text field otherwise (the default as its placeholder, the description
 * as its tooltip). Each field is validated as it is typed; a bad value outlines the field red and
 * says why. {@link #values()} holds only what the user set, as the experiment file would.
 */
final class ParamForm {
    private final JPanel panel = new JPanel(new GridBagLayout());
    private final Map<ParameterInfo, JComponent> fields = new LinkedHashMap<>();
    private final Map<ParameterInfo, String> errors = new LinkedHashMap<>();
    private final Runnable changed;

    ParamForm(ProviderInfo provider, Map<String, Object> initial, Runnable changed) {
        this.changed = changed;
        GridBagConstraints c = new GridBagConstraints();
        c.insets = new Insets(2, 4, 2, 4);
        c.anchor = GridBagConstraints.WEST;
        int row = 0;
        for (ParameterInfo p : provider.parameters()) {
            c.gridy = row++;
            c.gridx = 0;
            c.weightx = 0;
            c.fill = GridBagConstraints.NONE;
            JLabel label = new JLabel(p.key() + (p.required() ? " *" : ""));
            label.setToolTipText(p.name());
            panel.add(label, c);
            c.gridx = 1;
            c.weightx = 1;
            c.fill = GridBagConstraints.HORIZONTAL;
            Object v = initial.get(p.key());
            JComponent f = field(p, v);
            f.setToolTipText("<html><b>" + RunsPanel.esc(p.name()) + "</b> (" + p.type() + (p.cardinality() != 0 ? " list" : "") + ")<br>"
                    + RunsPanel.esc(p.description()) + (p.defaults().isEmpty() ? "" : "<br>default: " + RunsPanel.esc(ParamText.defaultText(p))) + "</html>");
            fields.put(p, f);
            panel.add(f, c);
        }
        if (provider.parameters().isEmpty()) {
            panel.add(new JLabel("(no parameters)"), c);
        }
        validateAll();
    }

    private JComponent field(ParameterInfo p, Object v) {
        if (p.cardinality() == 0 && p.type().equals("boolean")) {
            JCheckBox b = new JCheckBox();
            b.setSelected(v != null ? Boolean.parseBoolean(String.valueOf(v)) : !p.defaults().isEmpty() && Boolean.parseBoolean(p.defaults().get(0)));
            b.putClientProperty("default", b.isSelected() && v == null);
            b.addActionListener(e -> fire());
            return b;
        }
        if (p.cardinality() == 0 && !p.options().isEmpty()) {
            JComboBox<String> box = new JComboBox<>(p.options().toArray(String[]::new));
            box.setSelectedItem(v != null ? String.valueOf(v) : p.defaults().isEmpty() ? p.options().get(0) : p.defaults().get(0));
            box.addActionListener(e -> fire());
            return box;
        }
        JTextField t = new JTextField(v == null ? "" : v instanceof List<?> l ? String.join(", ", l.stream().map(String::valueOf).toList()) : String.valueOf(v), 18);
        t.putClientProperty("JTextField.placeholderText", ParamText.defaultText(p));
        onChange(t, this::fire);
        return t;
    }

    /** Runs {@code r} after every edit of the field's text. */
    static void onChange(javax.swing.text.JTextComponent t, Runnable r) {
        t.getDocument().addDocumentListener(new DocumentListener() {
            @Override
            public void insertUpdate(DocumentEvent e) {
                r.run();
            }

            @Override
            public void removeUpdate(DocumentEvent e) {
                r.run();
            }

            @Override
            public void changedUpdate(DocumentEvent e) {
                r.run();
            }
        });
    }

    private void fire() {
        validateAll();
        changed.run();
    }

    private void validateAll() {
        errors.clear();
        fields.forEach((p, f) -> {
            if (f instanceof JTextField t) {
                ParamText.Parsed parsed = ParamText.parse(p, t.getText());
                t.putClientProperty("JComponent.outline", parsed.ok() ? null : "error");
                if (!parsed.ok()) {
                    errors.put(p, parsed.error());
                    t.setToolTipText(parsed.error());
                }
            }
        });
    }

    /** The values the user set (defaults left out), typed as the schema says. */
    Map<String, Object> values() {
        Map<String, Object> out = new LinkedHashMap<>();
        fields.forEach((p, f) -> {
            if (f instanceof JCheckBox b) {
                boolean def = !p.defaults().isEmpty() && Boolean.parseBoolean(p.defaults().get(0));
                if (b.isSelected() != def) {
                    out.put(p.key(), b.isSelected());
                }
            } else if (f instanceof JComboBox<?> box) {
                String s = String.valueOf(box.getSelectedItem());
                if (p.defaults().isEmpty() || !p.defaults().get(0).equals(s)) {
                    out.put(p.key(), s);
                }
            } else if (f instanceof JTextField t) {
                ParamText.Parsed parsed = ParamText.parse(p, t.getText());
                if (parsed.ok() && parsed.value() != null) {
                    out.put(p.key(), parsed.value());
                }
            }
        });
        return out;
    }

    /** Problems of the fields as typed, one line each. */
    List<String> errors() {
        return List.copyOf(errors.values());
    }

    /** The field of a parameter (tests drive the form through it). */
    JComponent field(String key) {
        return fields.entrySet().stream().filter(e -> e.getKey().key().equals(key)).map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no field " + key + "; fields: " + fields.keySet().stream().map(ParameterInfo::key).toList()));
    }

    JComponent component() {
        return panel;
    }
}
