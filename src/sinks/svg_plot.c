#include "sinks/svg_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sinks/markup.h"

#define LEFT 56
#define RIGHT 16
#define TOP 14
#define PLOT_H 220
#define AXIS_H 30
#define ROW_H 22
#define LABEL_W 230

const char *hh_svg_severity_color(enum hh_severity s)
{
	static const char *const c[] = { "#777777", "#2471a3", "#b7950b", "#d35400", "#aa0000" };
	return (unsigned)s < 5 ? c[s] : c[0];
}

static double xpos(double t, double t0, double t1, double left, double width)
{
	if (!(t1 > t0))
		return left;
	return left + (t - t0) / (t1 - t0) * width;
}

static void clock_text(double t, char *buf, size_t n)
{
	if (!(t >= 0 && t < 1e11)) { /* a hostile store: no time to show */
		snprintf(buf, n, "?");
		return;
	}
	time_t s = (time_t)floor(t);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(buf, n, "%H:%M:%S", &tm);
}

/* Five UTC time ticks along [left, left + width] at y. */
static void time_axis(FILE *fp, double t0, double t1, double left, double width, double y)
{
	fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", left, y, left + width, y);
	for (int i = 0; i <= 4; i++) {
		double t = t0 + (t1 - t0) * i / 4.0;
		double x = xpos(t, t0, t1, left, width);
		char c[16];
		clock_text(t, c, sizeof(c));
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>"
			    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">%s</text>\n",
			x, y, x, y + 4, x, y + 16, i == 0 ? "start" : i == 4 ? "end" : "middle", c);
	}
	fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">UTC</text>\n",
		left + width, y + 28);
}

void hh_svg_cpu_plot(FILE *fp, const struct hh_cpu_point *p, size_t n, double baseline,
		     const struct hh_plot_mark *marks, size_t n_marks, double t0, double t1)
{
	const double width = HH_SVG_WIDTH - LEFT - RIGHT;
	double ymax = 0.1;
	for (size_t i = 0; i < n; i++) {
		if (p[i].usage > ymax)
			ymax = p[i].usage;
		if (p[i].limit > ymax && p[i].has_quota)
			ymax = p[i].limit;
	}
	if (isfinite(baseline) && baseline > ymax)
		ymax = baseline;
	ymax *= 1.15;
	const double bottom = TOP + PLOT_H;
#define YPOS(v) (bottom - (v) / ymax * PLOT_H)
	fprintf(fp, "<svg class=\"cpu-plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		    "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" role=\"img\">\n"
		    "<title>CPU of the container (cores) against its limit and baseline; findings marked</title>\n"
		    "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%d\" fill=\"#fbfbfc\" stroke=\"#ccc\"/>\n",
		HH_SVG_WIDTH, TOP + PLOT_H + AXIS_H + 14, HH_SVG_WIDTH, TOP + PLOT_H + AXIS_H + 14, LEFT, TOP, width,
		PLOT_H);
	for (int i = 0; i <= 4; i++) { /* y ticks */
		double v = ymax * i / 4.0, y = YPOS(v);
		fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#eee\"/>"
			    "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.2f</text>\n",
			LEFT, y, LEFT + width, y, LEFT - 4, y + 4, v);
	}
	fprintf(fp, "<text x=\"12\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 12 %d)\" "
		    "text-anchor=\"middle\">cores</text>\n", TOP + PLOT_H / 2, TOP + PLOT_H / 2);
	/* limit: a step line over the samples */
	if (n) {
		fprintf(fp, "<polyline class=\"quota\" fill=\"none\" stroke=\"#aa0000\" stroke-dasharray=\"6 4\" "
			    "stroke-width=\"1.5\" points=\"");
		for (size_t i = 0; i < n; i++) {
			double lim = p[i].limit > ymax ? ymax : p[i].limit;
			double xa = xpos(i ? p[i - 1].t : p[i].t - p[i].dt, t0, t1, LEFT, width);
			double xb = xpos(p[i].t, t0, t1, LEFT, width);
			fprintf(fp, "%.1f,%.1f %.1f,%.1f ", xa, YPOS(lim), xb, YPOS(lim));
		}
		fprintf(fp, "\"><title>limit: %s %.2f cores</title></polyline>\n",
			p[n - 1].has_quota ? "cgroup quota" : "no quota; node CPUs", p[n - 1].limit);
	}
	if (isfinite(baseline))
		fprintf(fp, "<line class=\"baseline\" x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#2471a3\" "
			    "stroke-dasharray=\"2 3\" stroke-width=\"1.5\"><title>baseline: %.3f cores</title></line>\n",
			LEFT, YPOS(baseline), LEFT + width, YPOS(baseline), baseline);
	/* usage, averaged per pixel column */
	if (n) {
		fprintf(fp, "<polyline class=\"usage\" fill=\"none\" stroke=\"#1d1f21\" stroke-width=\"1.8\" points=\"");
		long col = -1;
		double sum = 0, cnt = 0;
		for (size_t i = 0; i <= n; i++) {
			long c = i < n ? lround(xpos(p[i].t, t0, t1, LEFT, width)) : -2;
			if (c != col && cnt > 0) {
				fprintf(fp, "%ld,%.1f ", col, YPOS(sum / cnt));
				sum = cnt = 0;
			}
			if (i == n)
				break;
			col = c;
			sum += p[i].usage;
			cnt++;
		}
		fprintf(fp, "\"><title>CPU used (cores)</title></polyline>\n");
	}
	for (size_t i = 0; i < n_marks; i++) {
		if (marks[i].t < t0 || marks[i].t > t1)
			continue;
		double x = xpos(marks[i].t, t0, t1, LEFT, width);
		char c[16];
		clock_text(marks[i].t, c, sizeof(c));
		fprintf(fp, "<line class=\"mark\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			    "stroke-width=\"1.2\" opacity=\"0.8\"><title>%s ",
			x, TOP, x, bottom, hh_svg_severity_color(marks[i].severity), c);
		hh_markup_escaped(fp, hh_severity_name(marks[i].severity));
		fputc(' ', fp);
		hh_markup_escaped(fp, marks[i].label);
		fprintf(fp, "</title></line>\n");
	}
	time_axis(fp, t0, t1, LEFT, width, bottom);
	fprintf(fp, "</svg>\n");
#undef YPOS
}

void hh_svg_timeline(FILE *fp, const struct hh_plot_mark *marks, size_t n, double t0, double t1)
{
	const char *rows[HH_SVG_TIMELINE_ROWS];
	size_t n_rows = 0;
	bool other = false;
	for (size_t i = 0; i < n; i++) {
		size_t r;
		for (r = 0; r < n_rows; r++)
			if (strcmp(rows[r], marks[i].label) == 0)
				break;
		if (r == n_rows) {
			if (n_rows < HH_SVG_TIMELINE_ROWS - 1)
				rows[n_rows++] = marks[i].label;
			else
				other = true;
		}
	}
	size_t shown = n_rows + (other ? 1 : 0);
	const double left = LABEL_W, width = HH_SVG_WIDTH - LABEL_W - RIGHT;
	double bottom = TOP + ROW_H * (double)(shown ? shown : 1);
	fprintf(fp, "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		    "viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" role=\"img\">\n"
		    "<title>Every signal of the workload on one time axis, one row per rule</title>\n",
		HH_SVG_WIDTH, bottom + AXIS_H + 14, HH_SVG_WIDTH, bottom + AXIS_H + 14);
	for (size_t r = 0; r < shown; r++) {
		double y = TOP + ROW_H * (double)r + ROW_H / 2.0;
		fprintf(fp, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#eee\"/>"
			    "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">",
			left, y, left + width, y, left - 6, y + 4);
		hh_markup_escaped(fp, r < n_rows ? rows[r] : "other");
		fprintf(fp, "</text>\n");
	}
	for (size_t i = 0; i < n; i++) {
		size_t r;
		for (r = 0; r < n_rows; r++)
			if (strcmp(rows[r], marks[i].label) == 0)
				break;
		double y = TOP + ROW_H * (double)r + ROW_H / 2.0;
		double t = marks[i].t < t0 ? t0 : marks[i].t > t1 ? t1 : marks[i].t;
		char c[16];
		clock_text(marks[i].t, c, sizeof(c));
		fprintf(fp, "<circle class=\"signal\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"><title>%s ",
			xpos(t, t0, t1, left, width), y, hh_svg_severity_color(marks[i].severity), c);
		hh_markup_escaped(fp, hh_severity_name(marks[i].severity));
		fputc(' ', fp);
		hh_markup_escaped(fp, marks[i].label);
		fprintf(fp, "</title></circle>\n");
	}
	time_axis(fp, t0, t1, left, width, bottom);
	fprintf(fp, "</svg>\n");
}
