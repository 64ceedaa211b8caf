package org.filewcount.agent.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.builder.AstBuilder;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.control.CompilePhase;

/**
 * A declarative Jenkinsfile read with Groovy's own parser (the AST after conversion, before any Jenkins
 * class is needed): the pipeline's blocks as nested calls, e.g. pipeline { stages { stage('Test') {...} } }.
 */
final class JenkinsPipeline {

  /** One call of the pipeline DSL: its name, its literal first argument (a stage's name) and its block. */
  record Call(String name, Optional<String> label, Optional<ClosureExpression> block, MethodCallExpression node) {

    /** The direct calls inside this call's block, in order. */
    List<Call> children() {
      return block.map(b -> calls(b.getCode())).orElse(List.of());
    }

    Optional<Call> child(String name) {
      return children().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The stage(...) calls of a stages { } or parallel { } block. */
    List<Call> stages() {
      return children().stream().filter(c -> c.name().equals("stage")).toList();
    }

    /** Source text of the call, for assertions on what a step runs. */
    String text(String source) {
      return JenkinsPipeline.text(source, node);
    }
  }

  private JenkinsPipeline() {}

  /** The pipeline { } call of the script. */
  static Call parse(String source) {
    List<ASTNode> nodes = new AstBuilder().buildFromString(CompilePhase.CONVERSION, false, source);
    for (ASTNode n : nodes) {
      if (n instanceof BlockStatement block) {
        for (Call c : calls(block)) {
          if (c.name().equals("pipeline")) {
            return c;
          }
        }
      }
    }
    throw new AssertionError("no pipeline { } block: not a declarative Jenkinsfile");
  }

  private static List<Call> calls(Statement code) {
    List<Call> out = new ArrayList<>();
    if (!(code instanceof BlockStatement block)) {
      return out;
    }
    for (Statement s : block.getStatements()) {
      if (s instanceof ExpressionStatement es && es.getExpression() instanceof MethodCallExpression call) {
        Optional<String> label = Optional.empty();
        Optional<ClosureExpression> closure = Optional.empty();
        if (call.getArguments() instanceof ArgumentListExpression args) {
          for (Expression a : args.getExpressions()) {
            if (a instanceof ConstantExpression c && c.getValue() instanceof String v && label.isEmpty()) {
              label = Optional.of(v);
            }
            if (a instanceof ClosureExpression c) {
              closure = Optional.of(c);
            }
          }
        }
        out.add(new Call(call.getMethodAsString(), label, closure, call));
      }
    }
    return out;
  }

  private static String text(String source, ASTNode node) {
    String[] lines = source.split("\n", -1);
    StringBuilder sb = new StringBuilder();
    for (int i = node.getLineNumber(); i <= node.getLastLineNumber(); i++) {
      String line = lines[i - 1];
      int from = i == node.getLineNumber() ? node.getColumnNumber() - 1 : 0;
      int to = i == node.getLastLineNumber() ? node.getLastColumnNumber() - 1 : line.length();
      sb.append(line, from, Math.min(to, line.length())).append('\n');
    }
    return sb.toString();
  }
}
