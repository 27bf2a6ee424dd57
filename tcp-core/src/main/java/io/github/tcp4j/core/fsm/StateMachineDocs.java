package io.github.tcp4j.core.fsm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * Renders a {@link TransitionTable} as documentation: Markdown (with a Mermaid diagram, a matrix
 * of next states and one table per state) and a Graphviz DOT diagram. {@code docs/state-machine.md}
 * and {@code docs/state-machine.dot} are this class's output for the standard table; a test fails
 * when the committed files drift from it.
 */
public final class StateMachineDocs {

    private StateMachineDocs() {
    }

    /** The Markdown page for {@code table}. */
    public static String markdown(TransitionTable table) {
        StringBuilder md = new StringBuilder();
        md.append("# The TCP state machine\n\n")
                .append("<!-- Generated from TransitionTable.standard() by StateMachineDocs: do not edit by hand. -->\n\n")
                .append("This page is generated from tcp4j's transition table, the one place that decides a\n")
                .append("connection's next state. Regenerate it (and `state-machine.dot`) with:\n\n")
                .append("```\nmvn -pl tcp-core -am test -Dtest=StateMachineDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dtest.extraArgs=-Dtcp4j.regenerateDocs=true\n```\n\n")
                .append("Arriving segments are first classified by the checks of RFC 9293 section 3.10.7 into one of\n")
                .append("the `RCV_*` events; user calls and timer expiries are events as they are. Section numbers\n")
                .append("below are RFC 9293's unless another RFC is named.\n\n");

        md.append("## Diagram\n\nEvery transition that changes the state (events that keep it are in the tables below).\n\n")
                .append("```mermaid\nstateDiagram-v2\n    [*] --> CLOSED\n");
        edges(table).forEach((edge, label) -> md.append("    ").append(edge.replace("->", "-->")).append(" : ")
                .append(label).append('\n'));
        md.append("```\n\n");

        md.append("## Next state at a glance\n\n")
                .append("Rows are events, columns states. A state name means the event moves the connection there;\n")
                .append("`=` means it stays, doing something; a blank means the event is ignored there.\n\n| event |");
        for (TcpState s : TcpState.values()) {
            md.append(' ').append(s.name()).append(" |");
        }
        md.append("\n|---|");
        md.append("---|".repeat(TcpState.values().length)).append('\n');
        for (TcpEvent e : TcpEvent.values()) {
            md.append("| `").append(e.name()).append("` |");
            for (TcpState s : TcpState.values()) {
                Transition t = table.lookup(s, e);
                md.append(' ').append(t.next() != s ? t.next().name() : t.isIgnored() ? "" : "=").append(" |");
            }
            md.append('\n');
        }

        md.append("\n## Each state, every event\n");
        for (TcpState s : TcpState.values()) {
            md.append("\n### ").append(s.name()).append(" (").append(s.rfcName()).append(")\n\n")
                    .append("| event | next state | actions | why |\n|---|---|---|---|\n");
            for (TcpEvent e : TcpEvent.values()) {
                Transition t = table.lookup(s, e);
                String actions = t.actions().isEmpty() ? "(ignored)"
                        : t.actions().stream().map(Action::name).collect(Collectors.joining(", "));
                md.append("| `").append(e.name()).append("` ").append(e.label().replace("|", "\\|")).append(" | ")
                        .append(t.next() == s ? "=" : t.next().name()).append(" | ").append(actions).append(" | ")
                        .append(t.why().replace("|", "\\|")).append(" |\n");
            }
        }
        return md.toString();
    }

    /** The Graphviz DOT diagram of the state-changing transitions of {@code table}. */
    public static String dot(TransitionTable table) {
        StringBuilder dot = new StringBuilder();
        dot.append("// Generated from TransitionTable.standard() by StateMachineDocs: do not edit by hand.\n")
                .append("digraph tcp {\n    rankdir=TB;\n    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
                .append("    edge [fontname=\"Helvetica\", fontsize=9];\n");
        edges(table).forEach((edge, label) -> {
            String[] ends = edge.split(" -> ");
            dot.append("    ").append(ends[0]).append(" -> ").append(ends[1]).append(" [label=\"")
                    .append(label.replace("\"", "\\\"")).append("\"];\n");
        });
        return dot.append("}\n").toString();
    }

    /** "FROM -> TO" to the labels of the events that take that edge, in table order. */
    private static Map<String, String> edges(TransitionTable table) {
        Map<String, StringJoiner> edges = new LinkedHashMap<>();
        for (TcpState s : TcpState.values()) {
            for (TcpEvent e : TcpEvent.values()) {
                TcpState next = table.lookup(s, e).next();
                if (next != s) {
                    edges.computeIfAbsent(s.name() + " -> " + next.name(), k -> new StringJoiner(", ")).add(e.label());
                }
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        edges.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }
}
