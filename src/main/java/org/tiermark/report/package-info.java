/**
 * The report: reads a run ({@link org.tiermark.report.RunInputs}: JMH JSON through
 * {@link org.tiermark.report.JmhReader}, the studies' samples CSV through
 * {@link org.tiermark.report.SamplesCsvReader}, accuracy.json through
 * {@link org.tiermark.accuracy.AccuracyReport}, run.json through {@link org.tiermark.report.RunFile},
 * stages/ through {@link org.tiermark.report.StageFiles}, targets through {@link org.tiermark.Targets});
 * computes the studies' statistics ({@link org.tiermark.report.Stats}, {@link org.tiermark.report.Bootstrap});
 * lays out the report ({@link org.tiermark.report.Analysis}: notes, a summary per model
 * ({@link org.tiermark.report.Summaries}), problems of the run, the headline table, target checks, trade-off
 * tables, their statistics, the studies' findings side by side ({@link org.tiermark.report.Findings}),
 * accuracy and recommendations within the accuracy tolerance ({@link org.tiermark.report.Recommendations})); draws plots;
 * gates regressions against a baseline ({@link org.tiermark.report.Gate}); compares runs across
 * machines ({@link org.tiermark.report.Compare}); and writes report.md, report.csv, report.html,
 * report.json, tables/ and plots/ into the run folder ({@link org.tiermark.report.RunReport}).
 *
 * <p>What is measured ({@link org.tiermark.report.Measurement}) is kept apart from what is said about it
 * ({@link org.tiermark.report.Report}, whose tables hold numbers) and from how that is rendered
 * ({@link org.tiermark.report.ReportWriter}, {@link org.tiermark.report.Format}). The report names no
 * benchmark: the headline table's comes from {@code benchmarks.json}, the targets from {@code targets.json}.
 */
package org.tiermark.report;
