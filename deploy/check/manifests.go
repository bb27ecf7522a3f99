package main

import (
	"bytes"
	"fmt"
	"regexp"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// kinds are the objects the chart may render, each decoded into its API type. A kind not
// here is an error: a new one is added with its type, not waved through.
var kinds = map[string]func() any{
	"v1/Service":                             func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                      func() any { return &corev1.ServiceAccount{} },
	"v1/Secret":                              func() any { return &corev1.Secret{} },
	"v1/ConfigMap":                           func() any { return &corev1.ConfigMap{} },
	"apps/v1/StatefulSet":                    func() any { return &appsv1.StatefulSet{} },
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"keda.sh/v1alpha1/ScaledObject":          func() any { return &scaledObject{} },
	"keda.sh/v1alpha1/TriggerAuthentication": func() any { return &triggerAuthentication{} },
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// checkManifests decodes every document strictly and checks what the API server would
// refuse or what would fail only at run time: names, selectors that miss their pods, probes
// and mounts that name no port or volume, targets of autoscalers that are not rendered.
func checkManifests(all []byte) (int, []error) {
	var errs []error
	objects := map[string]any{} // kind/name
	n := 0
	for _, doc := range docSep.Split(string(all), -1) {
		if len(bytes.TrimSpace(stripComments([]byte(doc)))) == 0 {
			continue
		}
		var head struct {
			APIVersion string            `json:"apiVersion"`
			Kind       string            `json:"kind"`
			Metadata   metav1.ObjectMeta `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			errs = append(errs, err)
			continue
		}
		key := head.APIVersion + "/" + head.Kind
		mk, ok := kinds[key]
		if !ok {
			errs = append(errs, fmt.Errorf("%s %s: a kind the check does not know", key, head.Metadata.Name))
			continue
		}
		obj := mk()
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err))
			continue
		}
		n++
		for _, m := range validation.IsDNS1123Subdomain(head.Metadata.Name) {
			errs = append(errs, fmt.Errorf("%s %q: %s", head.Kind, head.Metadata.Name, m))
		}
		for _, m := range validation.IsDNS1123Label(head.Metadata.Name) {
			if head.Kind == "Service" || head.Kind == "StatefulSet" {
				errs = append(errs, fmt.Errorf("%s %q: %s", head.Kind, head.Metadata.Name, m))
			}
		}
		objects[head.Kind+"/"+head.Metadata.Name] = obj
	}
	for key, obj := range objects {
		for _, err := range checkObject(obj, objects) {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	return n, errs
}

func stripComments(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

func checkObject(obj any, objects map[string]any) []error {
	switch o := obj.(type) {
	case *appsv1.StatefulSet:
		claims := map[string]bool{}
		for _, c := range o.Spec.VolumeClaimTemplates {
			claims[c.Name] = true
		}
		errs := checkSelector(o.Spec.Selector, o.Spec.Template.Labels)
		if _, ok := objects["Service/"+o.Spec.ServiceName]; !ok {
			errs = append(errs, fmt.Errorf("serviceName %q is not rendered", o.Spec.ServiceName))
		}
		return append(errs, checkPod(o.Spec.Template.Spec, claims)...)
	case *appsv1.Deployment:
		return append(checkSelector(o.Spec.Selector, o.Spec.Template.Labels), checkPod(o.Spec.Template.Spec, nil)...)
	case *corev1.Service:
		if len(o.Spec.Selector) > 0 && !selectsAPod(labels.SelectorFromSet(o.Spec.Selector), objects) {
			return []error{fmt.Errorf("selector %v matches no rendered pod template", o.Spec.Selector)}
		}
	case *policyv1.PodDisruptionBudget:
		sel, err := metav1.LabelSelectorAsSelector(o.Spec.Selector)
		if err != nil {
			return []error{err}
		}
		if !selectsAPod(sel, objects) {
			return []error{fmt.Errorf("selector matches no rendered pod template")}
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if _, ok := objects[o.Spec.ScaleTargetRef.Kind+"/"+o.Spec.ScaleTargetRef.Name]; !ok {
			return []error{fmt.Errorf("scale target %s/%s is not rendered", o.Spec.ScaleTargetRef.Kind, o.Spec.ScaleTargetRef.Name)}
		}
	case *scaledObject:
		return o.check(objects)
	}
	return nil
}

func checkSelector(sel *metav1.LabelSelector, podLabels map[string]string) []error {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return []error{err}
	}
	if s.Empty() || !s.Matches(labels.Set(podLabels)) {
		return []error{fmt.Errorf("selector %v does not match the pod template's labels %v", sel.MatchLabels, podLabels)}
	}
	return nil
}

func selectsAPod(sel labels.Selector, objects map[string]any) bool {
	for _, obj := range objects {
		var l map[string]string
		switch o := obj.(type) {
		case *appsv1.StatefulSet:
			l = o.Spec.Template.Labels
		case *appsv1.Deployment:
			l = o.Spec.Template.Labels
		default:
			continue
		}
		if sel.Matches(labels.Set(l)) {
			return true
		}
	}
	return false
}

// checkPod checks that the pod template's references resolve: mounts to volumes (or claim
// templates), probes to ports, and that containers run as non-root on a read-only root.
func checkPod(p corev1.PodSpec, claims map[string]bool) []error {
	var errs []error
	vols := map[string]bool{}
	for _, v := range p.Volumes {
		vols[v.Name] = true
	}
	if p.SecurityContext == nil || p.SecurityContext.RunAsNonRoot == nil || !*p.SecurityContext.RunAsNonRoot {
		errs = append(errs, fmt.Errorf("pod does not require a non-root user"))
	}
	for _, c := range p.Containers {
		ports := map[string]bool{}
		for _, port := range c.Ports {
			ports[port.Name] = true
			for _, m := range validation.IsValidPortName(port.Name) {
				errs = append(errs, fmt.Errorf("container %s: port %q: %s", c.Name, port.Name, m))
			}
		}
		for _, m := range c.VolumeMounts {
			if !vols[m.Name] && !claims[m.Name] {
				errs = append(errs, fmt.Errorf("container %s: mount %q names no volume", c.Name, m.Name))
			}
		}
		for what, pr := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
			if pr != nil && pr.HTTPGet != nil && pr.HTTPGet.Port.StrVal != "" && !ports[pr.HTTPGet.Port.StrVal] {
				errs = append(errs, fmt.Errorf("container %s: %s probe names no port %q", c.Name, what, pr.HTTPGet.Port.StrVal))
			}
		}
		if c.LivenessProbe == nil {
			errs = append(errs, fmt.Errorf("container %s has no liveness probe", c.Name))
		}
		for _, e := range c.Env {
			for _, m := range validation.IsEnvVarName(e.Name) {
				errs = append(errs, fmt.Errorf("container %s: env %q: %s", c.Name, e.Name, m))
			}
			if isSecretSetting(e.Name) {
				errs = append(errs, fmt.Errorf("container %s: %s is given as a value; give %s_FILE", c.Name, e.Name, e.Name))
			}
		}
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			errs = append(errs, fmt.Errorf("container %s: want a read-only root and no privilege escalation", c.Name))
		}
	}
	return errs
}
