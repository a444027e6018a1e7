// placeholder so the library is never empty; remove when the folder has real sources
namespace tcpscope { [[maybe_unused]] static int render_placeholder = 0; }
