package org.tiermark.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A convolution without bias followed by batch normalization: the exporter folds the pair into one Conv. */
public final class ConvBn extends AbstractBlock {
    /** Batch-norm epsilon, shared with the exporter's folding. */
    public static final float EPSILON = 1e-5f;

    private final Conv2d conv;
    private final BatchNorm norm;
    private final int kernel;
    private final int stride;
    private final int groups;

    public ConvBn(int filters, int kernel, int stride, int groups) {
        this.kernel = kernel;
        this.stride = stride;
        this.groups = groups;
        this.conv = addChildBlock("conv", Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optGroups(groups)
                .optBias(false)
                .build());
        this.norm = addChildBlock("bn", BatchNorm.builder().optEpsilon(EPSILON).build());
    }

    public Conv2d conv() {
        return conv;
    }

    public BatchNorm norm() {
        return norm;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int groups() {
        return groups;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return norm.forward(ps, conv.forward(ps, inputs, training, params), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return norm.getOutputShapes(conv.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
        norm.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
    }
}
