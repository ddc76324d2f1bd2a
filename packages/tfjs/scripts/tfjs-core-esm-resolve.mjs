/**
 * Node ESM resolve hook for the example and the bench (not part of the published package).
 *
 * @tensorflow/tfjs-core 4 registers its gradients only in its ESM build
 * (dist/register_all_gradients.js), whose relative imports have no file extension: fine for
 * bundlers, refused by Node's ESM resolver. The union package @tensorflow/tfjs ships them in its
 * bundle, but this package depends on tfjs-core alone. For specifiers inside tfjs-core's dist that
 * fail to resolve, retry with ".js" and "/index.js".
 */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const parent = context.parentURL ?? '';
    if (!specifier.startsWith('.') || !parent.includes('/@tensorflow/tfjs-core/dist/')) throw error;
    for (const suffix of ['.js', '/index.js']) {
      try {
        return await nextResolve(specifier + suffix, context);
      } catch {
        // try the next spelling
      }
    }
    throw error;
  }
}
