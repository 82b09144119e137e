"""Bibliography registry (STYLE 8). Dataset attr ``reference`` comes from here."""

from __future__ import annotations

__all__ = ["REFERENCES", "cite"]

REFERENCES: dict[str, str] = {
    "AGS1985": (
        "D. J. Amit, H. Gutfreund, H. Sompolinsky, Storing infinite numbers of patterns in a "
        "spin-glass model of neural networks, Phys. Rev. Lett. 55, 1530 (1985), "
        "doi:10.1103/PhysRevLett.55.1530"
    ),
    "AGS1987": (
        "D. J. Amit, H. Gutfreund, H. Sompolinsky, Statistical mechanics of neural networks near "
        "saturation, Ann. Phys. 173, 30 (1987), doi:10.1016/0003-4916(87)90092-3"
    ),
    "AGS1985a": (
        "D. J. Amit, H. Gutfreund, H. Sompolinsky, Spin-glass models of neural networks, "
        "Phys. Rev. A 32, 1007 (1985), doi:10.1103/PhysRevA.32.1007"
    ),
    "AT1978": (
        "J. R. L. de Almeida, D. J. Thouless, Stability of the Sherrington-Kirkpatrick solution "
        "of a spin glass model, J. Phys. A 11, 983 (1978), doi:10.1088/0305-4470/11/5/028"
    ),
    "Glauber1963": (
        "R. J. Glauber, Time-dependent statistics of the Ising model, J. Math. Phys. 4, 294 "
        "(1963), doi:10.1063/1.1703954"
    ),
    "Metropolis1953": (
        "N. Metropolis et al., Equation of state calculations by fast computing machines, "
        "J. Chem. Phys. 21, 1087 (1953), doi:10.1063/1.1699114"
    ),
    "Salmon2011": (
        "J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, Parallel random numbers: as easy as "
        "1, 2, 3, SC'11, doi:10.1145/2063384.2063405"
    ),
    "Sokal1997": (
        "A. D. Sokal, Monte Carlo methods in statistical mechanics: foundations and new "
        "algorithms, in Functional Integration (Springer 1997), doi:10.1007/978-1-4899-0319-8_6"
    ),
    "Albanese2021": (
        "L. Albanese, F. Alemanno, A. Alessandrelli, A. Barra, Replica symmetry breaking in dense "
        "neural networks, arXiv:2111.12997, J. Stat. Phys. 189, 24 (2022)"
    ),
    "Agliari2012": (
        "E. Agliari, A. Barra, A. Galluzzi, F. Guerra, F. Moauro, Multitasking associative "
        "networks, Phys. Rev. Lett. 109, 268101 (2012), doi:10.1103/PhysRevLett.109.268101"
    ),
    "Agliari2023": (
        "E. Agliari, A. Alessandrelli, A. Barra, F. Ricci-Tersenghi, Parallel learning by "
        "multitasking neural networks, arXiv:2308.04106 (2023)"
    ),
    "Agliari2023Supervised": (
        "E. Agliari, L. Albanese, F. Alemanno, A. Alessandrelli, A. Barra, F. Giannotti, "
        "D. Lotito, D. Pedreschi, Dense Hebbian neural networks: a replica symmetric picture "
        "of supervised learning, Physica A 626, 129076 (2023), arXiv:2212.00606"
    ),
    "Agliari2023Unsupervised": (
        "E. Agliari, L. Albanese, F. Alemanno, A. Alessandrelli, A. Barra, F. Giannotti, "
        "D. Lotito, D. Pedreschi, Dense Hebbian neural networks: a replica symmetric picture "
        "of unsupervised learning, Physica A 627, 129143 (2023), arXiv:2211.14067"
    ),
    "Agliari2013": (
        "E. Agliari, A. Barra, A. Galluzzi, M. Isopi, Multitasking network with fast noise, "
        "arXiv:1304.4488 (2013)"
    ),
    "Ramsauer2020": (
        "H. Ramsauer et al., Hopfield networks is all you need, arXiv:2008.02217, ICLR 2021"
    ),
    "Krotov2016": (
        "D. Krotov, J. J. Hopfield, Dense associative memory for pattern recognition, "
        "NeurIPS 29 (2016), arXiv:1606.01164"
    ),
    "Demircigil2017": (
        "M. Demircigil, J. Heusel, M. Loewe, S. Upgang, F. Vermet, On a model of associative "
        "memory with huge storage capacity, J. Stat. Phys. 168, 288 (2017), "
        "doi:10.1007/s10955-017-1806-y"
    ),
    "Vaswani2017": (
        "A. Vaswani et al., Attention is all you need, NeurIPS 30 (2017), arXiv:1706.03762"
    ),
    "Widrich2020": (
        "M. Widrich et al., Modern Hopfield networks and attention for immune repertoire "
        "classification, NeurIPS 33 (2020), arXiv:2007.13505"
    ),
    "Schaefl2022": (
        "B. Schaefl, L. Gruber, A. Bitto-Nemling, S. Hochreiter, Hopular: modern Hopfield "
        "networks for tabular data, arXiv:2206.00664 (2022)"
    ),
    "Fuerst2022": (
        "A. Fuerst et al., CLOOB: modern Hopfield networks with InfoLOOB outperform CLIP, "
        "NeurIPS 35 (2022), arXiv:2110.11316"
    ),
    "vandenOord2018": (
        "A. van den Oord, Y. Li, O. Vinyals, Representation learning with contrastive "
        "predictive coding, arXiv:1807.03748 (2018)"
    ),
    "Radford2021": (
        "A. Radford et al., Learning transferable visual models from natural language "
        "supervision, ICML 2021, arXiv:2103.00020"
    ),
    "Poole2019": (
        "B. Poole, S. Ozair, A. van den Oord, A. A. Alemi, G. Tucker, On variational bounds "
        "of mutual information, ICML 2019, arXiv:1905.06922"
    ),
    "McEliece1987": (
        "R. J. McEliece, E. C. Posner, E. R. Rodemich, S. S. Venkatesh, The capacity of the "
        "Hopfield associative memory, IEEE Trans. Inf. Theory 33, 461 (1987), "
        "doi:10.1109/TIT.1987.1057328"
    ),
    "Hopfield1982": (
        "J. J. Hopfield, Neural networks and physical systems with emergent collective "
        "computational abilities, Proc. Natl. Acad. Sci. USA 79, 2554 (1982), "
        "doi:10.1073/pnas.79.8.2554"
    ),
    "CAG1986": (
        "A. Crisanti, D. J. Amit, H. Gutfreund, Saturation level of the Hopfield model for "
        "neural network, Europhys. Lett. 2, 337 (1986), doi:10.1209/0295-5075/2/4/012"
    ),
    "SteffanKuhn1994": (
        "H. Steffan, R. Kuhn, Replica symmetry breaking in attractor neural network models, "
        "Z. Phys. B 95, 249 (1994), doi:10.1007/BF01312198"
    ),
    "Gardner1987": (
        "E. Gardner, Multiconnected neural network models, J. Phys. A 20, 3453 (1987), "
        "doi:10.1088/0305-4470/20/11/046"
    ),
    "BaldiVenkatesh1987": (
        "P. Baldi, S. S. Venkatesh, Number of stable points for spin-glasses and neural "
        "networks of higher orders, Phys. Rev. Lett. 58, 913 (1987), "
        "doi:10.1103/PhysRevLett.58.913"
    ),
    "Gross1984": (
        "D. J. Gross, M. Mezard, The simplest spin glass, Nucl. Phys. B 240, 431 (1984), "
        "doi:10.1016/0550-3213(84)90237-2"
    ),
    "MPV1987": (
        "M. Mezard, G. Parisi, M. A. Virasoro, Spin Glass Theory and Beyond (World Scientific, "
        "1987), doi:10.1142/0271"
    ),
}


def cite(*keys: str) -> str:
    """The ``reference`` attr for ``keys``: the entries joined by '; '.

    Raises
    ------
    KeyError
        For a key that is not in :data:`REFERENCES`.
    """
    missing = [k for k in keys if k not in REFERENCES]
    if missing:
        raise KeyError(f"unknown reference keys {missing}; add them to assoc.citations")
    return "; ".join(REFERENCES[k] for k in keys)
