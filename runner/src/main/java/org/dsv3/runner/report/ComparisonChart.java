package org.dsv3.runner.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.dsv3.runner.bench.BenchTest;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.RangeType;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;

/**
 * The merged table as a grouped bar chart: a panel per kind of test (prompt processing,
 * generation, both), since their speeds differ by orders of magnitude, each with its own axis; a
 * group of bars per test, a bar per column of the table in the same colour in every panel, with
 * the standard deviation as an error bar. Drawn by JFreeChart, to PNG or (through JFreeSVG) SVG;
 * in SVG every bar is a group {@code <g id="bar-S-T">} titled with its column, test and value.
 */
public final class ComparisonChart {
    static final int WIDTH = 1000;
    static final int PANEL_HEIGHT = 340;
    /** Colours told apart by most readers (a qualitative palette), reused in turn beyond ten columns. */
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
            new Color(0x17becf)};

    private static final String[] KIND_NAMES = {"prompt processing", "generation", "prompt + generation"};

    private ComparisonChart() {
    }

    /** Writes the chart as SVG or PNG, by the file's extension ({@link #checkPath}). */
    public static void write(Comparison c, Path file) throws IOException {
        List<JFreeChart> panels = panels(c);
        int legendHeight = 30 + 18 * ((c.series().size() + 1) / 2);
        int height = PANEL_HEIGHT * panels.size() + legendHeight;
        if (isSvg(file)) {
            SVGGraphics2D g = new SVGGraphics2D(WIDTH, height);
            draw(g, panels, legendHeight);
            Files.writeString(file, g.getSVGDocument(), StandardCharsets.UTF_8);
        } else {
            BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                draw(g, panels, legendHeight);
            } finally {
                g.dispose();
            }
            // through a stream of our own, so that an unwritable path is reported with its name
            try (OutputStream out = Files.newOutputStream(file)) {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException(file + ": this Java runtime has no PNG writer");
                }
            }
        }
    }

    /** An error unless the file ends in .svg or .png. */
    public static void checkPath(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".svg") && !name.endsWith(".png")) {
            throw new IllegalArgumentException("--chart " + file + ": the file must end in .svg or .png");
        }
    }

    private static boolean isSvg(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg");
    }

    private static void draw(Graphics2D g, List<JFreeChart> panels, int legendHeight) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, PANEL_HEIGHT * panels.size() + legendHeight);
        for (int i = 0; i < panels.size(); i++) {
            int h = PANEL_HEIGHT + (i == panels.size() - 1 ? legendHeight : 0);
            panels.get(i).draw(g, new Rectangle(0, i * PANEL_HEIGHT, WIDTH, h));
        }
    }

    private static List<JFreeChart> panels(Comparison c) {
        List<JFreeChart> panels = new ArrayList<>();
        for (int kind = 0; kind < 3; kind++) {
            DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
            boolean any = false;
            for (BenchTest t : c.tests()) {
                if (Comparison.kind(t) != kind) {
                    continue;
                }
                any = true;
                for (int s = 0; s < c.series().size(); s++) {
                    Comparison.Cell cell = c.cell(t, s);
                    // every column in every panel (empty where it has no value) keeps its colour
                    data.add(cell == null ? null : cell.value(), cell == null ? null : cell.stddev(), new SeriesKey(s,
                            c.series().get(s).label()), t.name());
                }
            }
            if (any) {
                panels.add(panel(c, data, KIND_NAMES[kind]));
            }
        }
        JFreeChart first = panels.getFirst();
        Comparison.Metric m = c.metric();
        first.setTitle(new TextTitle(m.field() + (m.unit().isEmpty() ? "" : " (" + m.unit() + ")")
                + (m.stddevField() == null ? "" : ", mean ± standard deviation"), new Font(Font.SANS_SERIF, Font.BOLD, 16)));
        first.getTitle().setPosition(RectangleEdge.TOP);
        LegendTitle legend = panels.getLast().getLegend();
        legend.setVisible(true);
        legend.setPosition(RectangleEdge.BOTTOM);
        return panels;
    }

    private static JFreeChart panel(Comparison c, DefaultStatisticalCategoryDataset data, String kind) {
        CategoryAxis tests = new CategoryAxis(kind);
        tests.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        NumberAxis values = new NumberAxis(c.metric().unit().isEmpty() ? c.metric().field() : c.metric().unit());
        values.setRangeType(RangeType.POSITIVE); // an error bar below zero does not stretch the axis there
        Bars bars = new Bars(c);
        CategoryPlot plot = new CategoryPlot(data, tests, values, bars);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xcccccc));
        plot.setRangeGridlineStroke(new BasicStroke(0.5f));
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setVisible(false);
        return chart;
    }

    /** A column of the table as a bar series: its index keeps it unique, its label is what the legend shows. */
    private record SeriesKey(int index, String label) implements Comparable<SeriesKey> {
        @Override
        public int compareTo(SeriesKey o) {
            return Integer.compare(index, o.index);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Bars with error bars, a fixed colour per column, and in SVG a titled group around each bar. */
    private static final class Bars extends StatisticalBarRenderer {
        private final Comparison comparison;

        Bars(Comparison comparison) {
            this.comparison = comparison;
            setBarPainter(new StandardBarPainter());
            setShadowVisible(false);
            setDrawBarOutline(false);
            setErrorIndicatorPaint(Color.BLACK);
            setItemMargin(0.05);
            setDefaultToolTipGenerator(null);
            for (int s = 0; s < comparison.series().size(); s++) {
                setSeriesPaint(s, PALETTE[s % PALETTE.length]);
            }
        }

        @Override
        public void drawItem(Graphics2D g2, CategoryItemRendererState state, Rectangle2D dataArea, CategoryPlot plot,
                             CategoryAxis domainAxis, ValueAxis rangeAxis, CategoryDataset data, int row, int column, int pass) {
            Number value = data.getValue(row, column);
            if (value == null) {
                return;
            }
            boolean svg = g2 instanceof SVGGraphics2D;
            if (svg) {
                SeriesKey key = (SeriesKey) data.getRowKey(row);
                String test = data.getColumnKey(column).toString();
                Comparison.Cell cell = comparison.cell(comparison.tests().stream().filter(t -> t.name().equals(test))
                        .findFirst().orElseThrow(), key.index());
                String unit = comparison.metric().unit();
                g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, "bar-" + key.index() + "-" + test.replaceAll("[^A-Za-z0-9]+", "_"));
                g2.setRenderingHint(SVGHints.KEY_ELEMENT_TITLE, key.label() + ", " + test + ": "
                        + String.format(Locale.ROOT, "%.2f", cell.value())
                        + (cell.stddev() == null ? "" : String.format(Locale.ROOT, " ± %.2f", cell.stddev()))
                        + (unit.isEmpty() ? "" : " " + unit));
            }
            super.drawItem(g2, state, dataArea, plot, domainAxis, rangeAxis, data, row, column, pass);
            if (svg) {
                g2.setRenderingHint(SVGHints.KEY_END_GROUP, "bar");
            }
        }
    }
}
