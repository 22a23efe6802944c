package dev.userstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** The latency phase as a PNG: p50, p99 and max per second of offered load (java.awt, headless). */
final class LatencyChart {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 420;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;

  private LatencyChart() {}

  static void write(JsonNode latency, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    JsonNode series = latency.get("perSecond");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    long max = 1;
    int seconds = 1;
    for (JsonNode s : series) {
      max = Math.max(max, s.get("maxMs").asLong());
      seconds = Math.max(seconds, s.get("second").asInt() + 1);
    }
    long top = niceCeiling(max);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(new Color(0xd0d7de));
    for (int i = 0; i <= 4; i++) {
      int y = TOP + plotH - plotH * i / 4;
      g.drawLine(LEFT, y, LEFT + plotW, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%,d ms", top * i / 4), 5, y + 4);
      g.setColor(new Color(0xd0d7de));
    }
    g.setColor(Color.DARK_GRAY);
    g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH);
    for (int s = 0; s <= seconds; s += Math.max(1, seconds / 6)) {
      int x = LEFT + plotW * s / seconds;
      g.drawString(s + " s", x - 8, TOP + plotH + 18);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(String.format("produced -> written in Cassandra, %,d users/s offered for %d s: p50 %,d, p99 %,d, max %,d ms",
        latency.get("offeredPerSecond").asInt(), latency.get("seconds").asInt(), latency.get("p50Ms").asLong(),
        latency.get("p99Ms").asLong(), latency.get("maxMs").asLong()), LEFT, 24);
    line(g, series, "maxMs", new Color(0xcf222e), top, seconds, plotW, plotH);
    line(g, series, "p99Ms", new Color(0xbc4c00), top, seconds, plotW, plotH);
    line(g, series, "p50Ms", new Color(0x0969da), top, seconds, plotW, plotH);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    legend(g, "p50 per second", new Color(0x0969da), 0);
    legend(g, "p99 per second", new Color(0xbc4c00), 1);
    legend(g, "max per second", new Color(0xcf222e), 2);
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  private static void line(Graphics2D g, JsonNode series, String field, Color color, long top, int seconds, int plotW,
      int plotH) {
    g.setColor(color);
    g.setStroke(new BasicStroke(2f));
    int px = -1;
    int py = -1;
    for (JsonNode s : series) {
      int x = LEFT + (int) ((s.get("second").asInt() + 0.5) * plotW / seconds);
      int y = TOP + plotH - (int) (s.get(field).asLong() * plotH / top);
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
  }

  private static void legend(Graphics2D g, String label, Color color, int index) {
    int x = LEFT + 10 + index * 150;
    int y = HEIGHT - 12;
    g.setColor(color);
    g.fillRect(x, y - 9, 12, 10);
    g.setColor(Color.DARK_GRAY);
    g.drawString(label, x + 16, y);
  }

  private static long niceCeiling(long v) {
    long step = 1;
    while (step * 10 < v) {
      step *= 10;
    }
    return ((v + step - 1) / step) * step;
  }
}
