/**
 * The report: reads JMH JSON ({@link org.tiermark.report.JmhReader}), the studies' samples CSV
 * ({@link org.tiermark.report.SamplesCsvReader}) and accuracy JSON ({@link org.tiermark.report.Accuracy});
 * computes the studies' statistics ({@link org.tiermark.report.Stats}, {@link org.tiermark.report.Bootstrap});
 * lays out trade-off tables, target checks and recommendations ({@link org.tiermark.report.Analysis});
 * draws plots; gates regressions against a baseline ({@link org.tiermark.report.Gate}); compares runs
 * across machines ({@link org.tiermark.report.Compare}); and writes report.md, report.csv, report.html,
 * report.json, tables/ and plots/ into the run folder ({@link org.tiermark.report.RunReport}).
 *
 * <p>What is measured ({@link org.tiermark.report.Measurement}) is kept apart from what is said about it
 * ({@link org.tiermark.report.Report}) and from how that is rendered ({@link org.tiermark.report.ReportWriter}).
 */
package org.tiermark.report;
