package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.ConfigMapDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.ResourceComparators;

/** The ModelServer's ConfigMap, built by {@link ConfigMapDesiredState}. */
@KubernetesDependent(informer = @Informer(labelSelector = ModelServerDependent.MANAGED_SELECTOR))
public class ConfigMapDependent extends ModelServerDependent<ConfigMap> {

  public ConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  ConfigMap build(ModelServer primary, ResolvedSpec spec) {
    return ConfigMapDesiredState.build(primary, spec);
  }

  /**
   * JOSDK writes ConfigMaps without server-side apply and matches them with its generic matcher,
   * which accepts keys that are in the ConfigMap but not in the desired state (it tolerates fields
   * an API server adds). Nothing adds keys to this ConfigMap, and every key becomes an environment
   * variable of the model server: a key added by hand, or one left behind after it was removed from
   * spec.config, is drift, so the data must be equal.
   */
  @Override
  public Result<ConfigMap> match(
      ConfigMap actual, ConfigMap desired, ModelServer primary, Context<ModelServer> context) {
    Result<ConfigMap> result = super.match(actual, desired, primary, context);
    if (result.matched() && !ResourceComparators.compareConfigMapData(actual, desired)) {
      return Result.computed(false, desired);
    }
    return result;
  }
}
