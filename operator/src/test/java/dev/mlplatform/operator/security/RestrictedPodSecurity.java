package dev.mlplatform.operator.security;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every rule of the Kubernetes Pod Security Standards' <em>restricted</em> profile (which includes
 * <em>baseline</em>), as written in the standard (kubernetes.io/docs/concepts/security/
 * pod-security-standards), applied to a pod spec. Returns the violations, one line each.
 */
public final class RestrictedPodSecurity {
  private static final Set<String> ALLOWED_VOLUMES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");
  private static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes");
  private static final Set<String> SELINUX_TYPES =
      Set.of("container_t", "container_init_t", "container_kvm_t", "container_engine_t");

  private RestrictedPodSecurity() {}

  public static List<String> violations(PodSpec pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext podContext = pod.getSecurityContext();
    // baseline: host namespaces, host ports, hostPath volumes, privileged, capabilities, AppArmor,
    // SELinux, /proc mount, seccomp not Unconfined, sysctls
    if (Boolean.TRUE.equals(pod.getHostNetwork())) out.add("hostNetwork must not be true");
    if (Boolean.TRUE.equals(pod.getHostPID())) out.add("hostPID must not be true");
    if (Boolean.TRUE.equals(pod.getHostIPC())) out.add("hostIPC must not be true");
    for (Volume volume : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
      String type = volumeType(volume);
      if (!ALLOWED_VOLUMES.contains(type)) {
        out.add("volume " + volume.getName() + " has type " + type + ", not allowed");
      }
    }
    if (podContext != null) {
      if (podContext.getSysctls() != null) {
        podContext.getSysctls().stream()
            .filter(s -> !SAFE_SYSCTLS.contains(s.getName()))
            .forEach(s -> out.add("sysctl " + s.getName() + " is not in the safe set"));
      }
      if (podContext.getSeLinuxOptions() != null) {
        checkSeLinux(out, "pod", podContext.getSeLinuxOptions());
      }
      if (podContext.getRunAsUser() != null && podContext.getRunAsUser() == 0) {
        out.add("pod runAsUser must not be 0");
      }
      if (podContext.getAppArmorProfile() != null
          && "Unconfined".equals(podContext.getAppArmorProfile().getType())) {
        out.add("pod AppArmor profile must not be Unconfined");
      }
    }
    List<Container> containers =
        Stream.of(pod.getContainers(), pod.getInitContainers())
            .filter(l -> l != null)
            .flatMap(List::stream)
            .toList();
    for (Container c : containers) {
      String where = "container " + c.getName() + ": ";
      SecurityContext sc = c.getSecurityContext();
      if (c.getPorts() != null
          && c.getPorts().stream().anyMatch(p -> p.getHostPort() != null && p.getHostPort() != 0)) {
        out.add(where + "hostPort must not be set");
      }
      if (sc == null) {
        out.add(where + "has no securityContext");
        sc = new SecurityContext();
      }
      if (Boolean.TRUE.equals(sc.getPrivileged())) out.add(where + "privileged must not be true");
      if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
        out.add(where + "procMount must be Default");
      }
      if (sc.getSeLinuxOptions() != null) checkSeLinux(out, where, sc.getSeLinuxOptions());
      if (sc.getAppArmorProfile() != null
          && "Unconfined".equals(sc.getAppArmorProfile().getType())) {
        out.add(where + "AppArmor profile must not be Unconfined");
      }
      // restricted
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        out.add(where + "allowPrivilegeEscalation must be false");
      }
      boolean nonRoot =
          Boolean.TRUE.equals(sc.getRunAsNonRoot())
              || (sc.getRunAsNonRoot() == null
                  && podContext != null
                  && Boolean.TRUE.equals(podContext.getRunAsNonRoot()));
      if (!nonRoot) out.add(where + "runAsNonRoot must be true (container or pod)");
      if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0)
        out.add(where + "runAsUser must not be 0");
      SeccompProfile seccomp =
          sc.getSeccompProfile() != null
              ? sc.getSeccompProfile()
              : podContext == null ? null : podContext.getSeccompProfile();
      if (seccomp == null
          || !(seccomp.getType().equals("RuntimeDefault")
              || seccomp.getType().equals("Localhost"))) {
        out.add(where + "seccompProfile must be RuntimeDefault or Localhost (container or pod)");
      }
      Capabilities caps = sc.getCapabilities();
      if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
        out.add(where + "capabilities must drop ALL");
      }
      if (caps != null && caps.getAdd() != null) {
        caps.getAdd().stream()
            .filter(cap -> !cap.equals("NET_BIND_SERVICE"))
            .forEach(cap -> out.add(where + "capability " + cap + " must not be added"));
      }
    }
    return out;
  }

  private static void checkSeLinux(
      List<String> out, String where, io.fabric8.kubernetes.api.model.SELinuxOptions options) {
    if (options.getType() != null && !SELINUX_TYPES.contains(options.getType())) {
      out.add(where + " SELinux type " + options.getType() + " is not allowed");
    }
    if (options.getUser() != null || options.getRole() != null) {
      out.add(where + " SELinux user and role must not be set");
    }
  }

  private static String volumeType(Volume v) {
    if (v.getConfigMap() != null) return "configMap";
    if (v.getCsi() != null) return "csi";
    if (v.getDownwardAPI() != null) return "downwardAPI";
    if (v.getEmptyDir() != null) return "emptyDir";
    if (v.getEphemeral() != null) return "ephemeral";
    if (v.getPersistentVolumeClaim() != null) return "persistentVolumeClaim";
    if (v.getProjected() != null) return "projected";
    if (v.getSecret() != null) return "secret";
    if (v.getHostPath() != null) return "hostPath";
    return "other";
  }
}
