// A video frame drawn from its Y, U and V planes: the GPU does the colour sums (given by
// corridor::core::video::YuvToRgb) for each pixel it draws, so the CPU never converts a frame.
#import bevy_ui::ui_vertex_output::UiVertexOutput

struct VideoParams {
    r: vec4<f32>,
    g: vec4<f32>,
    b: vec4<f32>,
    alpha: f32,
};

@group(1) @binding(0) var<uniform> params: VideoParams;
@group(1) @binding(1) var y_plane: texture_2d<f32>;
@group(1) @binding(2) var plane_sampler: sampler;
@group(1) @binding(3) var u_plane: texture_2d<f32>;
@group(1) @binding(4) var v_plane: texture_2d<f32>;

// sRGB as stored -> linear light, as the render target expects.
fn to_linear(c: vec3<f32>) -> vec3<f32> {
    let low = c / 12.92;
    let high = pow((c + vec3(0.055)) / 1.055, vec3(2.4));
    return select(high, low, c <= vec3(0.04045));
}

@fragment
fn fragment(in: UiVertexOutput) -> @location(0) vec4<f32> {
    let yuv = vec4(
        textureSample(y_plane, plane_sampler, in.uv).r,
        textureSample(u_plane, plane_sampler, in.uv).r,
        textureSample(v_plane, plane_sampler, in.uv).r,
        1.0,
    );
    let rgb = clamp(vec3(dot(params.r, yuv), dot(params.g, yuv), dot(params.b, yuv)), vec3(0.0), vec3(1.0));
    return vec4(to_linear(rgb), params.alpha);
}
