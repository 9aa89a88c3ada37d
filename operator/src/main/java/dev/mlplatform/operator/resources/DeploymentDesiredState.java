package dev.mlplatform.operator.resources;

import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.contract.ServerEnv;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.PodSpecOverrides;
import dev.mlplatform.operator.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the Deployment {@code NAME}. It never sets {@code spec.replicas}: the HPA owns that field,
 * and with server-side apply a field the operator once applied and then drops would be reset.
 */
public final class DeploymentDesiredState {

  public static final String CONTAINER = "model-server";
  public static final String FETCH_CONTAINER = "fetch-model";
  public static final String CONFIG_HASH_ANNOTATION = "serving.mlplatform.dev/config-hash";
  public static final long RUN_AS = 10001L;
  public static final String CACHE_DIR = "/var/cache/mlplatform";

  /**
   * Where the spec.model.cache claim is mounted: beside, not inside, the pod-local cache, whose DJL
   * and engine caches (native libraries unpacked per pod) must not be shared between pods.
   */
  public static final String SHARED_MODEL_CACHE_DIR = "/var/cache/mlplatform-models";

  public static final String MODEL_CACHE_VOLUME = "model-cache";

  private DeploymentDesiredState() {}

  public static Deployment build(ModelServer owner, ResolvedSpec spec) {
    return new DeploymentBuilder()
        .withMetadata(Owners.childMetadata(owner, spec, spec.name()))
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(ChildLabels.selector(spec.name()))
        .endSelector()
        .withRevisionHistoryLimit(5)
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        // New pods must be ready before old ones go: capacity never dips during a rollout.
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString(1))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels(spec))
        .withAnnotations(podAnnotations(spec))
        .endMetadata()
        .withSpec(podSpec(spec))
        .endTemplate()
        .endSpec()
        .build();
  }

  /** Seconds the kubelet waits after SIGTERM: the server's drain plus time to finish batches. */
  public static long terminationGracePeriodSeconds(ResolvedSpec spec) {
    String drain = ConfigMapDesiredState.data(spec).get(ServerEnv.SHUTDOWN_DRAIN_SECONDS);
    long drainSeconds;
    try {
      drainSeconds = Long.parseLong(drain.trim());
    } catch (NumberFormatException e) {
      drainSeconds = ServerPorts.DEFAULT_DRAIN_SECONDS;
    }
    return drainSeconds + ServerPorts.GRACE_AFTER_DRAIN_SECONDS;
  }

  private static Map<String, String> podLabels(ResolvedSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>();
    Optional.ofNullable(spec.pod().getLabels()).map(TreeMap::new).ifPresent(labels::putAll);
    labels.putAll(ChildLabels.of(spec));
    return labels;
  }

  private static Map<String, String> podAnnotations(ResolvedSpec spec) {
    Map<String, String> annotations = new LinkedHashMap<>();
    // the conventional scrape hints for a plain Prometheus (no Prometheus Operator); the user's
    // own spec.pod.annotations, put after, may override them
    annotations.put("prometheus.io/scrape", "true");
    annotations.put("prometheus.io/port", Integer.toString(ServerPorts.METRICS_PORT));
    annotations.put("prometheus.io/path", "/metrics");
    Optional.ofNullable(spec.pod().getAnnotations())
        .map(TreeMap::new)
        .ifPresent(annotations::putAll);
    annotations.put(
        CONFIG_HASH_ANNOTATION, ConfigMapDesiredState.hash(ConfigMapDesiredState.data(spec)));
    return annotations;
  }

  /**
   * The root filesystem is read-only: every cache lives on the "cache" emptyDir, but for the model
   * files when spec.model.cache asks for a claim shared by the pods.
   */
  private static List<EnvVar> cacheEnv(ResolvedSpec spec) {
    String modelCache = spec.modelCache().isPresent() ? SHARED_MODEL_CACHE_DIR : CACHE_DIR;
    return List.of(
        new EnvVar(ServerEnv.MODEL_CACHE_DIR, modelCache, null),
        new EnvVar(ServerEnv.DJL_CACHE_DIR, CACHE_DIR + "/djl", null),
        new EnvVar(ServerEnv.ENGINE_CACHE_DIR, CACHE_DIR + "/engine", null));
  }

  private static List<EnvVar> env(ResolvedSpec spec) {
    List<EnvVar> env = new ArrayList<>(cacheEnv(spec));
    if (spec.apiKeySecret() != null) {
      // straight from the Secret: the key never passes through the ConfigMap or the operator
      env.add(secretEnv(ServerEnv.API_KEY, spec.apiKeySecret()));
    }
    return env;
  }

  private static EnvVar secretEnv(String name, SecretKeyRef secret) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef(secret.getKey(), secret.getName(), false)
        .endValueFrom()
        .build();
  }

  /**
   * Downloads the model into the cache before the server starts, so the server starts on a complete
   * model and a download that cannot succeed is reported (its JSON report is the termination
   * message the operator reads) instead of crash-looping the server.
   */
  private static Container fetchContainer(ResolvedSpec spec) {
    List<EnvVar> env = new ArrayList<>(cacheEnv(spec));
    if (spec.model().tokenSecret() != null) {
      env.add(secretEnv(ServerEnv.HF_TOKEN, spec.model().tokenSecret()));
    }
    return new ContainerBuilder()
        .withName(FETCH_CONTAINER)
        .withImage(spec.image())
        .withImagePullPolicy("IfNotPresent")
        .withArgs(ModelUris.FETCH_COMMAND)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .addNewEnvFrom()
        .withNewConfigMapRef()
        .withName(ConfigMapDesiredState.name(spec.name()))
        .endConfigMapRef()
        .endEnvFrom()
        .withEnv(env)
        .withResources(spec.resources())
        .withSecurityContext(containerSecurityContext())
        .withVolumeMounts(cacheMounts(spec))
        .build();
  }

  private static SecurityContext containerSecurityContext() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withCapabilities(new Capabilities(null, List.of("ALL")))
        .withSeccompProfile(new SeccompProfile(null, "RuntimeDefault"))
        .build();
  }

  /** /tmp, the pod-local cache and, when there is one, the shared model cache claim. */
  private static List<VolumeMount> cacheMounts(ResolvedSpec spec) {
    List<VolumeMount> mounts =
        new ArrayList<>(
            List.of(
                new VolumeMount("/tmp", null, "tmp", null, null, null, null),
                new VolumeMount(CACHE_DIR, null, "cache", null, null, null, null)));
    if (spec.modelCache().isPresent()) {
      mounts.add(
          new VolumeMount(
              SHARED_MODEL_CACHE_DIR, null, MODEL_CACHE_VOLUME, null, null, null, null));
    }
    return mounts;
  }

  private static PodSpec podSpec(ResolvedSpec spec) {
    PodSpecOverrides pod = spec.pod();
    return new PodSpecBuilder()
        .withServiceAccountName(pod.getServiceAccountName())
        // The server never calls the Kubernetes API.
        .withAutomountServiceAccountToken(false)
        .withPriorityClassName(pod.getPriorityClassName())
        .withNodeSelector(pod.getNodeSelector())
        .withTolerations(pod.getTolerations())
        .withAffinity(pod.getAffinity())
        .withTerminationGracePeriodSeconds(terminationGracePeriodSeconds(spec))
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withFsGroup(RUN_AS)
        .withSeccompProfile(new SeccompProfile(null, "RuntimeDefault"))
        .endSecurityContext()
        .withInitContainers(spec.model().downloads() ? List.of(fetchContainer(spec)) : List.of())
        .withContainers(container(spec))
        .withVolumes(volumes(spec))
        .build();
  }

  private static List<Volume> volumes(ResolvedSpec spec) {
    List<Volume> volumes = new ArrayList<>(List.of(emptyDir("tmp"), emptyDir("cache")));
    if (spec.modelCache().isPresent()) {
      volumes.add(
          new VolumeBuilder()
              .withName(MODEL_CACHE_VOLUME)
              // no readOnly: false is the default, which the API server does not store, and a
              // field it drops would look changed to the apply matcher at every reconciliation
              .withNewPersistentVolumeClaim()
              .withClaimName(ModelCache.claimName(spec.name()))
              .endPersistentVolumeClaim()
              .build());
    }
    spec.model().volume().ifPresent(volumes::add);
    return volumes;
  }

  private static Container container(ResolvedSpec spec) {
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.image())
        .withImagePullPolicy("IfNotPresent")
        // A server that fails to start logs why and exits: the log tail becomes the termination
        // message, which the operator copies into the ModelServer's Degraded condition.
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .addNewPort()
        .withName(ServerPorts.HTTP)
        .withContainerPort(ServerPorts.HTTP_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName(ServerPorts.METRICS)
        .withContainerPort(ServerPorts.METRICS_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewEnvFrom()
        .withNewConfigMapRef()
        .withName(ConfigMapDesiredState.name(spec.name()))
        .endConfigMapRef()
        .endEnvFrom()
        .withEnv(env(spec))
        .withResources(spec.resources())
        // Loading and warming the model can take a while: allow up to 5 minutes before liveness.
        .withStartupProbe(probe(ServerPorts.LIVE_PATH, 5, 2, 60))
        .withLivenessProbe(probe(ServerPorts.LIVE_PATH, 10, 2, 3))
        .withReadinessProbe(probe(ServerPorts.READY_PATH, 5, 2, 2))
        .withSecurityContext(containerSecurityContext())
        .withVolumeMounts(mounts(spec))
        .build();
  }

  private static List<VolumeMount> mounts(ResolvedSpec spec) {
    List<VolumeMount> mounts = new ArrayList<>(cacheMounts(spec));
    spec.model().volumeMount().ifPresent(mounts::add);
    return mounts;
  }

  /**
   * A probe of the http port without an initial delay (the startup probe covers model loading).
   * initialDelaySeconds stays unset rather than 0: the API server drops a zero it stores, so an
   * applied 0 never reads back and every reconciliation would see a difference and apply again
   * (found on a real API server; the mock keeps the 0).
   */
  private static Probe probe(String path, int period, int timeout, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(ServerPorts.HTTP))
        .withScheme("HTTP")
        .endHttpGet()
        .withPeriodSeconds(period)
        .withTimeoutSeconds(timeout)
        .withSuccessThreshold(1)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private static Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }
}
