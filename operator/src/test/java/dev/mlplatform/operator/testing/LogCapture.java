package dev.mlplatform.operator.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Captures what the operator logs in this JVM (through Logback) while open, at the levels given,
 * with each event's formatted message and the messages of its exception chain. Levels are restored
 * on close.
 */
public final class LogCapture implements AutoCloseable {

  /** One captured log line. */
  public record Line(Level level, String logger, String text) {
    @Override
    public String toString() {
      return level + " " + logger + " - " + text;
    }
  }

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Queue<Line> lines = new ConcurrentLinkedQueue<>();
  private final Map<String, Level> previous = new HashMap<>();
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          StringBuilder text = new StringBuilder(event.getFormattedMessage());
          for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            text.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
          }
          lines.add(new Line(event.getLevel(), event.getLoggerName(), text.toString()));
        }
      };

  /** Captures the root logger's output; {@code levels} maps logger names to the level to use. */
  public static LogCapture start(Map<String, Level> levels) {
    return new LogCapture(levels);
  }

  private LogCapture(Map<String, Level> levels) {
    levels.forEach(
        (name, level) -> {
          Logger logger = context.getLogger(name);
          previous.put(name, logger.getLevel());
          logger.setLevel(level);
        });
    appender.setContext(context);
    appender.setName("capture");
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
  }

  public List<Line> lines() {
    return List.copyOf(lines);
  }

  public List<Line> atLeast(Level level) {
    return lines.stream().filter(l -> l.level().isGreaterOrEqual(level)).toList();
  }

  /** Everything captured, one line per event. */
  public String text() {
    StringBuilder all = new StringBuilder();
    lines.forEach(l -> all.append(l).append('\n'));
    return all.toString();
  }

  @Override
  public void close() {
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
    previous.forEach((name, level) -> context.getLogger(name).setLevel(level));
  }
}
